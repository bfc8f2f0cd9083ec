using System.Globalization;
using System.Text.Json;

namespace FraudFunctions.Protocol;

/// <summary>
/// The Functions host's payload for a non-forwarded invocation: <c>{"Data": {binding: value}, "Metadata": {...}}</c>.
/// The host serialises string and number values a second time (a Service Bus body arrives as <c>"\"{...}\""</c>,
/// <c>DeliveryCount</c> as <c>"5"</c>), so every accessor decodes once more where needed.
/// </summary>
public sealed class InvocationRequest : IDisposable
{
    private readonly JsonDocument _document;
    private readonly List<JsonDocument> _decoded = [];

    private InvocationRequest(JsonDocument document, JsonElement data, JsonElement metadata)
    {
        _document = document;
        Data = data;
        Metadata = metadata;
    }

    /// <summary>Trigger and input binding values by binding name.</summary>
    public JsonElement Data { get; }

    /// <summary>Trigger metadata (MessageId, DeliveryCount, EnqueuedTimeUtc, sys, ...); an empty object when absent.</summary>
    public JsonElement Metadata { get; }

    /// <summary>Parses the envelope; throws <see cref="InvalidEnvelopeException"/> when it is not one.</summary>
    public static InvocationRequest Parse(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException ex)
        {
            throw new InvalidEnvelopeException($"The invocation body is not JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidEnvelopeException("The invocation body must be a JSON object with Data and Metadata.");
        }

        if (!TryGetProperty(document.RootElement, "Data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidEnvelopeException("The invocation body has no Data object.");
        }

        if (!TryGetProperty(document.RootElement, "Metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            metadata = EmptyObject;
        }

        return new InvocationRequest(document, data, metadata);
    }

    /// <summary>
    /// The value of a binding with the host's extra serialisation undone: a string holding JSON becomes that JSON
    /// (repeatedly, for a body that was itself a JSON string); a string that is not JSON stays a string.
    /// Returns false when the binding is absent or null.
    /// </summary>
    public bool TryGetBinding(string name, out JsonElement value)
    {
        if (!TryGetProperty(Data, name, out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            value = default;
            return false;
        }

        value = Decode(raw);
        return true;
    }

    /// <summary>A metadata value as text (double serialisation undone), or null.</summary>
    public string? GetMetadataString(string name)
    {
        if (!TryGetProperty(Metadata, name, out var raw))
        {
            return null;
        }

        var value = Decode(raw);
        return value.ValueKind switch
        {
            JsonValueKind.String => TryGetString(value),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    /// <summary>A metadata value as an integer whether it arrived as <c>5</c>, <c>"5"</c> or <c>"\"5\""</c>.</summary>
    public long? GetMetadataInt64(string name) =>
        long.TryParse(GetMetadataString(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A metadata value as a UTC time, when it parses as an ISO 8601 date.</summary>
    public DateTimeOffset? GetMetadataTime(string name) =>
        DateTimeOffset.TryParse(GetMetadataString(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;

    public void Dispose()
    {
        foreach (var document in _decoded)
        {
            document.Dispose();
        }

        _document.Dispose();
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private JsonElement Decode(JsonElement value)
    {
        // Three rounds cover the host's second serialisation plus a sender that put a JSON string in the body.
        for (var round = 0; round < 3 && value.ValueKind == JsonValueKind.String; round++)
        {
            var text = TryGetString(value);
            if (string.IsNullOrEmpty(text) || !LooksLikeJson(text))
            {
                break;
            }

            try
            {
                var inner = JsonDocument.Parse(text);
                _decoded.Add(inner);
                value = inner.RootElement;
            }
            catch (JsonException)
            {
                break;
            }
        }

        return value;
    }

    // Only structural JSON and quoted or numeric scalars are decoded again; "abc" stays the string abc.
    private static bool LooksLikeJson(string text)
    {
        var span = text.AsSpan().TrimStart();
        if (span.IsEmpty)
        {
            return false;
        }

        var first = span[0];
        return first is '{' or '[' or '"' or '-' || char.IsAsciiDigit(first) || span is "true" or "false" or "null";
    }

    // A lone surrogate escape ("\ud800") is valid JSON but not text: GetString throws InvalidOperationException.
    // Such a value is treated as absent (metadata) or left undecoded (a binding), so the message is rejected, not a 500.
    private static string? TryGetString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}

/// <summary>The request is not a Functions host envelope.</summary>
public sealed class InvalidEnvelopeException : Exception
{
    public InvalidEnvelopeException()
    {
    }

    public InvalidEnvelopeException(string message)
        : base(message)
    {
    }

    public InvalidEnvelopeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
