namespace Infra.Tests.Reading;

/// <summary>The scanning behind <see cref="BicepFile"/>: statements, declarations, object members and array items.</summary>
internal static class BicepParser
{
    public static (IReadOnlyList<BicepDeclaration> Declarations, IReadOnlyList<BicepResource> Resources, string? Scope) ParseTopLevel(BicepText text)
    {
        var declarations = new List<BicepDeclaration>();
        var resources = new List<BicepResource>();
        var decorators = new List<string>();
        string? scope = null;
        var m = text.Masked;
        var i = 0;
        while (true)
        {
            i = SkipSpace(m, i, m.Length);
            if (i >= m.Length)
            {
                break;
            }

            if (m[i] == '@')
            {
                var end = ReadWord(m, i + 1);
                end = SkipInline(m, end);
                if (end < m.Length && m[end] == '(')
                {
                    end = text.MatchingClose(end) + 1;
                }

                decorators.Add(text.Slice(i, end).Trim());
                i = end;
                continue;
            }

            var keywordEnd = ReadWord(m, i);
            var keyword = m[i..keywordEnd];
            switch (keyword)
            {
                case "resource" or "module":
                    resources.Add(ReadResource(text, keyword, keywordEnd, topLevel: true, out i));
                    break;
                case "param" or "var" or "output":
                    declarations.Add(ReadDeclaration(text, keyword, keywordEnd, decorators, out i));
                    break;
                case "targetScope":
                    var eq = m.IndexOf('=', keywordEnd);
                    var valueEnd = ReadValueEnd(text, eq + 1, m.Length);
                    scope = new BicepValue(text, eq + 1, valueEnd).StringLiteral;
                    i = valueEnd;
                    break;
                default:
                    // metadata, import, type, func: not needed here; skip the statement.
                    i = keywordEnd == i ? i + 1 : ReadValueEnd(text, keywordEnd, m.Length);
                    break;
            }

            decorators = [];
        }

        return (declarations, resources, scope);
    }

    public static BicepObject ParseObject(BicepText text, int open)
    {
        var m = text.Masked;
        var close = text.MatchingClose(open);
        var members = new List<KeyValuePair<string, BicepValue>>();
        var resources = new List<BicepResource>();
        var i = open + 1;
        while (true)
        {
            i = SkipSeparators(m, i, close);
            if (i >= close)
            {
                break;
            }

            string key;
            int keyEnd;
            if (m[i] == '\'')
            {
                keyEnd = m.IndexOf('\'', i + 1) + 1;
                key = text.Slice(i + 1, keyEnd - 1);
            }
            else
            {
                keyEnd = ReadWord(m, i);
                key = m[i..keyEnd];
            }

            var afterKey = SkipInline(m, keyEnd);
            if (key == "resource" && afterKey < close && m[afterKey] != ':')
            {
                resources.Add(ReadResource(text, "resource", keyEnd, topLevel: false, out i));
                continue;
            }

            if (afterKey >= close || m[afterKey] != ':')
            {
                throw new FormatException($"Expected ':' after '{key}' at offset {afterKey}.");
            }

            var valueEnd = ReadValueEnd(text, afterKey + 1, close);
            members.Add(new(key, new BicepValue(text, afterKey + 1, valueEnd)));
            i = valueEnd;
        }

        return new BicepObject(members, resources);
    }

    public static IReadOnlyList<BicepValue> ParseItems(BicepText text, int open)
    {
        var m = text.Masked;
        var close = text.MatchingClose(open);
        var items = new List<BicepValue>();
        var i = open + 1;
        while (true)
        {
            i = SkipSeparators(m, i, close);
            if (i >= close)
            {
                break;
            }

            var end = ReadValueEnd(text, i, close);
            items.Add(new BicepValue(text, i, end));
            i = end;
        }

        return items;
    }

    /// <summary>
    /// End of the expression starting at <paramref name="start"/>: the first newline or comma outside brackets,
    /// unless the next line continues a ternary (starts with '?' or ':'), or <paramref name="limit"/>.
    /// </summary>
    public static int ReadValueEnd(BicepText text, int start, int limit)
    {
        var m = text.Masked;
        var i = start;
        var sawContent = false;
        while (i < limit)
        {
            var c = m[i];
            if (c is '{' or '[' or '(')
            {
                i = text.MatchingClose(i) + 1;
                sawContent = true;
                continue;
            }

            if (c == '\'')
            {
                // String contents are masked, so the next quote (or triple quote) closes it, even across lines.
                var triple = string.CompareOrdinal(m, i, "'''", 0, 3) == 0;
                i = triple ? m.IndexOf("'''", i + 3, StringComparison.Ordinal) + 3 : m.IndexOf('\'', i + 1) + 1;
                sawContent = true;
                continue;
            }

            if (c == ',' || c is '}' or ']' or ')')
            {
                return i;
            }

            if (c == '\n' && sawContent)
            {
                var next = SkipSpace(m, i, limit);
                if (next < limit && m[next] is '?' or ':')
                {
                    i = next;
                    continue;
                }

                return i;
            }

            if (!char.IsWhiteSpace(c))
            {
                sawContent = true;
            }

            i++;
        }

        return limit;
    }

    private static BicepResource ReadResource(BicepText text, string keyword, int afterKeyword, bool topLevel, out int end)
    {
        var m = text.Masked;
        var symbolStart = SkipInline(m, afterKeyword);
        var symbolEnd = ReadWord(m, symbolStart);
        var symbol = m[symbolStart..symbolEnd];
        var quote = m.IndexOf('\'', symbolEnd);
        var quoteEnd = m.IndexOf('\'', quote + 1);
        var typeText = text.Slice(quote + 1, quoteEnd);
        var eq = m.IndexOf('=', quoteEnd);
        var isExisting = m[(quoteEnd + 1)..eq].Contains("existing", StringComparison.Ordinal);
        var open = m.IndexOf('{', eq);
        var header = text.Slice(eq + 1, open).Trim();
        var body = ParseObject(text, open);
        var close = text.MatchingClose(open);
        end = close + 1;
        if (header.StartsWith('['))
        {
            // `= [for x in y: {...}]`: the statement ends at the loop's closing bracket.
            end = text.MatchingClose(m.IndexOf('[', eq)) + 1;
        }

        string type = typeText;
        string? apiVersion = null;
        var at = typeText.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            type = typeText[..at];
            apiVersion = typeText[(at + 1)..];
        }

        var resource = new BicepResource(keyword, symbol, type, apiVersion, isExisting, header, body);
        if (keyword == "resource" && topLevel)
        {
            // Children are parsed before their parent's type is known; prefix their short types now, top down.
            resource = resource with { Body = Retype(body, type, apiVersion) };
        }

        return resource;
    }

    private static BicepObject Retype(BicepObject body, string parentType, string? parentApi) =>
        new(body.Members, body.Resources
            .Select(r => r with
            {
                Type = r.Type.Contains('/', StringComparison.Ordinal) ? r.Type : parentType + "/" + r.Type,
                ApiVersion = r.ApiVersion ?? parentApi,
            })
            .Select(r => r with { Body = Retype(r.Body, r.Type, r.ApiVersion) })
            .ToList());

    private static BicepDeclaration ReadDeclaration(BicepText text, string keyword, int afterKeyword, IReadOnlyList<string> decorators, out int end)
    {
        var m = text.Masked;
        var nameStart = SkipInline(m, afterKeyword);
        var nameEnd = ReadWord(m, nameStart);
        var name = m[nameStart..nameEnd];
        var statementEnd = ReadValueEnd(text, nameEnd, m.Length);
        var eq = m.IndexOf('=', nameEnd, statementEnd - nameEnd);
        string? type = null;
        if (keyword != "var")
        {
            type = text.Slice(nameEnd, eq < 0 ? statementEnd : eq).Trim();
        }

        BicepValue? value = null;
        if (eq >= 0)
        {
            statementEnd = ReadValueEnd(text, eq + 1, m.Length);
            value = new BicepValue(text, eq + 1, statementEnd);
        }

        end = statementEnd;
        return new BicepDeclaration(keyword, name, type, value, decorators.ToList());
    }

    private static int ReadWord(string m, int i)
    {
        while (i < m.Length && (char.IsLetterOrDigit(m[i]) || m[i] is '_' or '$'))
        {
            i++;
        }

        return i;
    }

    private static int SkipSpace(string m, int i, int limit)
    {
        while (i < limit && char.IsWhiteSpace(m[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipInline(string m, int i)
    {
        while (i < m.Length && m[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    private static int SkipSeparators(string m, int i, int limit)
    {
        while (i < limit && (char.IsWhiteSpace(m[i]) || m[i] == ','))
        {
            i++;
        }

        return i;
    }
}
