using System.Globalization;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;

namespace FraudFunctions.Http;

/// <summary>
/// Checks a JSON body against its <see cref="RequestShape"/> in one forward pass of <see cref="Utf8JsonReader"/>
/// before System.Text.Json deserialises it: every missing required field, unknown field, repeated field and value of
/// the wrong kind becomes a <see cref="ValidationError"/> at its JSON path (<c>items[0].cashPrice</c>,
/// <c>[2].observedAt</c>), in words a caller can act on. A valid basket allocates only the path stack and the error list here.
/// </summary>
public static class RequestValidator
{
    /// <summary>More errors than this are not listed (a 1,000-basket batch with one typo everywhere).</summary>
    public const int MaxErrors = 50;

    private const int MaxQuotedName = 40;

    public static IReadOnlyList<ValidationError> Validate(ReadOnlySpan<byte> json, RequestShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var errors = new List<ValidationError>();
        if (IsBlank(json))
        {
            errors.Add(new ValidationError("body", $"The body is empty; send {shape.Noun} as JSON."));
            return errors;
        }

        var path = new JsonPath();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 });
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                errors.Add(new ValidationError("body", $"The body must be {shape.Noun}, not null."));
                return errors;
            }

            CheckValue(ref reader, shape, path, errors, required: true);

            // A second value after the first (`{...}{...}`) makes the reader throw below.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            // The reader's own text speaks of tokens and reader options; the caller only needs where it broke.
            errors.Clear();
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            errors.Add(new ValidationError("body", $"The body is not valid JSON (it breaks at line {line}, character {column}), or nests deeper than 16 levels."));
        }
        catch (InvalidOperationException)
        {
            // GetString throws this for a lone surrogate escape ("\ud800"), which JSON's grammar allows but UTF-16 text cannot hold.
            errors.Clear();
            errors.Add(new ValidationError("body", "A text value is not valid Unicode (a lone \\uD800-\\uDFFF escape)."));
        }

        return errors;
    }

    private static void CheckValue(ref Utf8JsonReader reader, RequestShape shape, JsonPath path, List<ValidationError> errors, bool required)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            if (required)
            {
                Add(errors, path, $"Required: {shape.Noun}, not null.");
            }

            return;
        }

        switch (shape.Kind)
        {
            case JsonKind.Text when token == JsonTokenType.String:
                return;
            case JsonKind.Boolean when token is JsonTokenType.True or JsonTokenType.False:
                return;
            case JsonKind.Number when token == JsonTokenType.Number:
                if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    Add(errors, path, "The number is too large.");
                }

                return;
            case JsonKind.WholeNumber when token == JsonTokenType.Number:
                if (!reader.TryGetInt32(out _))
                {
                    Add(errors, path, reader.TryGetDouble(out var value) && double.IsFinite(value) && Math.Floor(value) == value
                        ? $"Expected a whole number up to {int.MaxValue.ToString("N0", CultureInfo.InvariantCulture)}."
                        : "Expected a whole number (no fraction, no exponent).");
                }

                return;
            case JsonKind.DateTime when token == JsonTokenType.String:
                CheckTime(ref reader, path, errors);
                return;
            case JsonKind.Structure when token == JsonTokenType.StartObject:
                CheckObject(ref reader, shape, path, errors);
                return;
            case JsonKind.List when token == JsonTokenType.StartArray:
                CheckArray(ref reader, shape, path, errors);
                return;
            default:
                Add(errors, path, $"Expected {shape.Noun}, got {Describe(token)}.");
                reader.Skip();
                return;
        }
    }

    private static void CheckObject(ref Utf8JsonReader reader, RequestShape shape, JsonPath path, List<ValidationError> errors)
    {
        var fields = shape.Fields;
        var seen = 0u;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < fields.Count; i++)
            {
                if (reader.ValueTextEquals(fields[i].Utf8Name))
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                var name = Shorten(reader.GetString() ?? string.Empty);
                path.Push(name);
                Add(errors, path, Unknown(name, shape));
                path.Pop();
                reader.Skip();
                continue;
            }

            var field = fields[index];
            var bit = 1u << index;
            path.Push(field.Name);
            if ((seen & bit) != 0)
            {
                // System.Text.Json would keep the last value silently; two values for one field is an ambiguous request.
                Add(errors, path, "The field appears more than once; send it once.");
                reader.Skip();
            }
            else
            {
                seen |= bit;
                reader.Read();
                CheckValue(ref reader, field.Shape, path, errors, field.Required);
            }

            path.Pop();
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Required && (seen & (1u << i)) == 0)
            {
                path.Push(fields[i].Name);
                Add(errors, path, $"Required: {fields[i].Shape.Noun}. {fields[i].Description}");
                path.Pop();
            }
        }
    }

    private static void CheckArray(ref Utf8JsonReader reader, RequestShape shape, JsonPath path, List<ValidationError> errors)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            path.Push(index++);
            CheckValue(ref reader, shape.Items!, path, errors, required: true);
            path.Pop();
        }
    }

    private static void CheckTime(ref Utf8JsonReader reader, JsonPath path, List<ValidationError> errors)
    {
        // A time without an offset means a different instant on every server; refuse it rather than guess UTC.
        var text = reader.GetString() ?? string.Empty;
        if (!reader.TryGetDateTimeOffset(out _) || !HasOffset(text))
        {
            Add(errors, path, "Expected an ISO 8601 time with a date, a time and an offset, such as 2026-11-20T09:30:00Z or 2026-11-20T10:30:00+01:00.");
        }
    }

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (t < 0)
        {
            return false;
        }

        if (text.EndsWith('Z') || text.EndsWith('z'))
        {
            return true;
        }

        var sign = text.LastIndexOfAny(['+', '-']);
        return sign > t;
    }

    private static string Unknown(string name, RequestShape shape)
    {
        string? guess = null;
        foreach (var field in shape.Fields)
        {
            if (name.Length > 0 && (field.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                || field.Name.Contains(name, StringComparison.OrdinalIgnoreCase)
                || name.Contains(field.Name, StringComparison.OrdinalIgnoreCase)))
            {
                guess = field.Name;
                break;
            }
        }

        var known = string.Join(", ", shape.Fields.Select(f => f.Name));
        return guess is null
            ? $"Unknown field '{name}'; {shape.Noun} has only: {known}."
            : $"Unknown field '{name}' (did you mean '{guess}'?); {shape.Noun} has only: {known}.";
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "true or false",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        _ => "something else",
    };

    private static string Shorten(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, MaxQuotedName + 1));
        foreach (var c in name)
        {
            if (builder.Length == MaxQuotedName)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    private static bool IsBlank(ReadOnlySpan<byte> json)
    {
        foreach (var b in json)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static void Add(List<ValidationError> errors, JsonPath path, string message)
    {
        if (errors.Count < MaxErrors)
        {
            errors.Add(new ValidationError(path.ToString(), message));
        }
    }

    /// <summary>The path of the value being read; rendered only when an error names it.</summary>
    private sealed class JsonPath
    {
        private readonly List<(string? Name, int Index)> _segments = [];

        public void Push(string name) => _segments.Add((name, -1));

        public void Push(int index) => _segments.Add((null, index));

        public void Pop() => _segments.RemoveAt(_segments.Count - 1);

        public override string ToString()
        {
            if (_segments.Count == 0)
            {
                return "body";
            }

            var builder = new StringBuilder();
            foreach (var (name, index) in _segments)
            {
                if (name is null)
                {
                    builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
                else
                {
                    if (builder.Length > 0)
                    {
                        builder.Append('.');
                    }

                    builder.Append(name);
                }
            }

            return builder.ToString();
        }
    }
}
