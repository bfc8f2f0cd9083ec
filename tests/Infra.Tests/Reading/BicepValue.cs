namespace Infra.Tests.Reading;

/// <summary>One expression of a Bicep file, as a span of its text; objects and arrays can be opened further.</summary>
public sealed class BicepValue
{
    private readonly BicepText _text;

    internal BicepValue(BicepText text, int start, int end)
    {
        _text = text;
        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; }

    /// <summary>The expression as written, trimmed.</summary>
    public string Text => _text.Slice(Start, End).Trim();

    public bool IsObject => Text.StartsWith('{');

    public bool IsArray => Text.StartsWith('[');

    /// <summary>The value of a plain string literal (no interpolation), or null.</summary>
    public string? StringLiteral
    {
        get
        {
            var t = Text;
            if (t.StartsWith("'''", StringComparison.Ordinal) && t.EndsWith("'''", StringComparison.Ordinal) && t.Length >= 6)
            {
                return t[3..^3];
            }

            if (t.Length >= 2 && t[0] == '\'' && t[^1] == '\'' && !t.Contains("${", StringComparison.Ordinal))
            {
                var inner = t[1..^1];
                return inner.Contains('\'', StringComparison.Ordinal) && !inner.Contains("\\'", StringComparison.Ordinal) ? null : inner.Replace("\\'", "'", StringComparison.Ordinal);
            }

            return null;
        }
    }

    /// <summary>The name when the expression is a bare identifier (a param, var or symbol), or null.</summary>
    public string? Identifier => System.Text.RegularExpressions.Regex.IsMatch(Text, "^[A-Za-z_][A-Za-z0-9_]*$") ? Text : null;

    public BicepObject AsObject()
    {
        var open = FirstNonSpace();
        if (_text.Masked[open] != '{')
        {
            throw new FormatException($"Not an object: {Text}");
        }

        return BicepParser.ParseObject(_text, open);
    }

    /// <summary>The items of an array literal (newline or comma separated).</summary>
    public IReadOnlyList<BicepValue> AsArray()
    {
        var open = FirstNonSpace();
        if (_text.Masked[open] != '[')
        {
            throw new FormatException($"Not an array: {Text}");
        }

        return BicepParser.ParseItems(_text, open);
    }

    public override string ToString() => Text;

    private int FirstNonSpace()
    {
        var i = Start;
        while (i < End && char.IsWhiteSpace(_text.Masked[i]))
        {
            i++;
        }

        return i;
    }
}

/// <summary>An object literal: its members in order, plus any nested <c>resource</c> declarations.</summary>
public sealed class BicepObject
{
    internal BicepObject(IReadOnlyList<KeyValuePair<string, BicepValue>> members, IReadOnlyList<BicepResource> resources)
    {
        Members = members;
        Resources = resources;
    }

    public IReadOnlyList<KeyValuePair<string, BicepValue>> Members { get; }

    /// <summary>Child resources declared inside this object (for a resource body).</summary>
    public IReadOnlyList<BicepResource> Resources { get; }

    public IEnumerable<string> Keys => Members.Select(m => m.Key);

    public BicepValue? this[string key] => Members.FirstOrDefault(m => m.Key == key).Value;

    /// <summary>Follows a dotted path of object keys (<c>properties.criteria.allOf</c>); null when a step is missing.</summary>
    public BicepValue? Find(string path)
    {
        var current = this;
        BicepValue? value = null;
        foreach (var step in path.Split('.'))
        {
            if (current is null)
            {
                return null;
            }

            value = current[step];
            current = value is { IsObject: true } ? value.AsObject() : null;
        }

        return value;
    }
}
