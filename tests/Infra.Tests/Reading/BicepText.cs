namespace Infra.Tests.Reading;

/// <summary>
/// Lexical help for reading Bicep without a compiler: a masked copy of the text in which comments and the
/// insides of strings (including interpolations and multi-line strings) are blanked, so brackets and keywords
/// can be matched on the mask while values are cut from the original at the same offsets.
/// </summary>
public sealed class BicepText
{
    public BicepText(string text)
    {
        Original = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        Masked = Mask(Original);
    }

    public string Original { get; }

    /// <summary>Same length and line breaks as <see cref="Original"/>; comments and string contents are spaces.</summary>
    public string Masked { get; }

    /// <summary>Offset of the bracket closing the one at <paramref name="open"/> ('{', '[' or '(').</summary>
    public int MatchingClose(int open)
    {
        var depth = 0;
        for (var i = open; i < Masked.Length; i++)
        {
            switch (Masked[i])
            {
                case '{' or '[' or '(':
                    depth++;
                    break;
                case '}' or ']' or ')':
                    depth--;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        throw new FormatException($"Unbalanced bracket opened at offset {open}.");
    }

    public string Slice(int start, int endExclusive) => Original[start..endExclusive];

    private static string Mask(string text)
    {
        var mask = text.ToCharArray();
        var i = 0;
        while (i < text.Length)
        {
            if (At(text, i, "//"))
            {
                var end = text.IndexOf('\n', i);
                end = end < 0 ? text.Length : end;
                Blank(mask, i, end);
                i = end;
            }
            else if (At(text, i, "/*"))
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                Blank(mask, i, end);
                i = end;
            }
            else if (At(text, i, "'''"))
            {
                // Multi-line strings have no escapes and no interpolation.
                var end = text.IndexOf("'''", i + 3, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end;
                Blank(mask, i + 3, end);
                i = Math.Min(text.Length, end + 3);
            }
            else if (text[i] == '\'')
            {
                var end = SkipString(text, i);
                Blank(mask, i + 1, end);
                i = Math.Min(text.Length, end + 1);
            }
            else
            {
                i++;
            }
        }

        return new string(mask);
    }

    // Returns the offset of the closing quote of the single-line string opened at `open`.
    private static int SkipString(string text, int open)
    {
        var i = open + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\')
            {
                i += 2;
            }
            else if (c == '\'')
            {
                return i;
            }
            else if (At(text, i, "${"))
            {
                i = SkipInterpolation(text, i + 2);
            }
            else
            {
                i++;
            }
        }

        return text.Length;
    }

    // An interpolation may hold nested strings and braces; returns the offset after its closing brace.
    private static int SkipInterpolation(string text, int start)
    {
        var depth = 1;
        var i = start;
        while (i < text.Length && depth > 0)
        {
            var c = text[i];
            if (c == '\'')
            {
                i = SkipString(text, i) + 1;
                continue;
            }

            depth += c switch { '{' => 1, '}' => -1, _ => 0 };
            i++;
        }

        return i;
    }

    private static bool At(string text, int i, string token) => string.CompareOrdinal(text, i, token, 0, token.Length) == 0;

    private static void Blank(char[] mask, int start, int end)
    {
        for (var k = start; k < end && k < mask.Length; k++)
        {
            if (mask[k] != '\n')
            {
                mask[k] = ' ';
            }
        }
    }
}
