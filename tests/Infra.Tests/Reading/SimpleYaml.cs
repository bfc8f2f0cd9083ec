namespace Infra.Tests.Reading;

/// <summary>
/// Just enough YAML for azure.yaml: nested mappings by indentation and scalar values (quotes stripped,
/// comments dropped). Sequences and flow collections are kept as raw text; azure.yaml needs neither.
/// </summary>
public sealed class SimpleYaml
{
    private readonly Dictionary<string, SimpleYaml> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _scalars = new(StringComparer.Ordinal);

    public IEnumerable<string> Keys => _children.Keys.Concat(_scalars.Keys);

    public static SimpleYaml Parse(string text)
    {
        var root = new SimpleYaml();
        var stack = new Stack<(int Indent, SimpleYaml Node)>();
        stack.Push((-1, root));
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = StripComment(raw);
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('-'))
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            while (stack.Peek().Indent >= indent)
            {
                stack.Pop();
            }

            var content = line.Trim();
            var colon = content.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new FormatException($"Not a mapping line: '{raw}'.");
            }

            var key = content[..colon].Trim();
            var value = content[(colon + 1)..].Trim();
            var parent = stack.Peek().Node;
            if (value.Length == 0)
            {
                var child = new SimpleYaml();
                parent._children[key] = child;
                stack.Push((indent, child));
            }
            else
            {
                parent._scalars[key] = value.Trim('"', '\'');
            }
        }

        return root;
    }

    public string? Scalar(string key) => _scalars.GetValueOrDefault(key);

    public SimpleYaml? Child(string key) => _children.GetValueOrDefault(key);

    /// <summary>Follows a dotted path of keys to a scalar.</summary>
    public string? Find(string path)
    {
        var node = this;
        var steps = path.Split('.');
        foreach (var step in steps[..^1])
        {
            node = node?.Child(step);
        }

        return node?.Scalar(steps[^1]);
    }

    private static string StripComment(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] is '"' or '\'')
            {
                quoted = !quoted;
            }
            else if (line[i] == '#' && !quoted && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }

        return line;
    }
}
