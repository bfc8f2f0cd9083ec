using System.Text.RegularExpressions;

namespace Infra.Tests.Reading;

/// <summary>
/// Finds the configuration keys the handler's source reads: indexers on a configuration, <c>GetValue</c>,
/// <c>GetSection</c>, environment variables, options classes bound with <c>BindConfiguration</c> (section plus
/// each settable property) and the blob store's named connection. Keys given through <c>const string</c> fields,
/// <c>nameof</c> and simple interpolations are resolved; keys held in local variables are not (none are today).
/// Keys use the environment-variable form (<c>Fraud__ModelName</c>).
/// </summary>
public static partial class HandlerConfigurationScan
{
    // ASP.NET Core's own settings, documented by ASP.NET Core.
    private static readonly string[] FrameworkPrefixes = ["urls", "ASPNETCORE_", "DOTNET_", "Logging", "AllowedHosts", "Kestrel"];

    public static IReadOnlySet<string> Keys(string handlerFolder)
    {
        var sources = Directory.EnumerateFiles(handlerFolder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(p => p, File.ReadAllText);
        var all = string.Join('\n', sources.Values);
        var constants = ConstPattern().Matches(all)
            .GroupBy(m => m.Groups["name"].Value)
            .ToDictionary(g => g.Key, g => g.First().Groups["value"].Value, StringComparer.Ordinal);

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var match in ReadPattern().Matches(all).Cast<Match>())
        {
            if (ResolveExpression(match.Groups["expr"].Value, constants) is { } key)
            {
                keys.Add(key);
            }
        }

        foreach (Match bind in BindPattern().Matches(all))
        {
            var section = ResolveExpression(bind.Groups["expr"].Value, constants);
            var type = bind.Groups["type"].Value;
            var body = ClassBody(all, type);
            foreach (Match property in PropertyPattern().Matches(body))
            {
                keys.Add($"{section}:{property.Groups["name"].Value}");
            }
        }

        foreach (Match store in StorePattern().Matches(all))
        {
            keys.Add(store.Groups["name"].Success ? store.Groups["name"].Value : "FraudStorage");
        }

        return keys
            .Select(k => k.Replace(":", "__", StringComparison.Ordinal))
            .Where(k => !FrameworkPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string? ResolveExpression(string expression, Dictionary<string, string> constants)
    {
        var e = expression.Trim();
        if (e.StartsWith('"') && e.EndsWith('"'))
        {
            return e[1..^1];
        }

        if (e.StartsWith("$\"", StringComparison.Ordinal) && e.EndsWith('"'))
        {
            var unresolved = false;
            var text = HolePattern().Replace(e[2..^1], hole =>
            {
                var inner = hole.Groups[1].Value.Trim();
                if (inner.StartsWith("nameof(", StringComparison.Ordinal))
                {
                    return inner[7..^1].Split('.')[^1];
                }

                if (constants.TryGetValue(inner.Split('.')[^1], out var value))
                {
                    return value;
                }

                unresolved = true;
                return hole.Value;
            });
            return unresolved ? null : text;
        }

        return constants.GetValueOrDefault(e.Split('.')[^1]);
    }

    private static string ClassBody(string all, string type)
    {
        var start = all.IndexOf($"class {type}", StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        var open = all.IndexOf('{', start);
        var depth = 0;
        for (var i = open; i < all.Length; i++)
        {
            depth += all[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return all[open..i];
            }
        }

        return all[open..];
    }

    [GeneratedRegex("""const\s+string\s+(?<name>\w+)\s*=\s*"(?<value>[^"]*)"\s*;""")]
    private static partial Regex ConstPattern();

    [GeneratedRegex("""(?:(?:[Cc]onfiguration|\bconfig)\s*\[\s*(?<expr>[^\]\n]+?)\s*\])|(?:GetValue<[^>]+>\(\s*(?<expr>[^,)\n]+))|(?:GetSection\(\s*(?<expr>[^,)\n]+)\))|(?:GetEnvironmentVariable\(\s*(?<expr>[^,)\n]+)\))""")]
    private static partial Regex ReadPattern();

    [GeneratedRegex("""AddOptions<(?<type>\w+)>\(\)\s*\.BindConfiguration\(\s*(?<expr>[^)]+)\)""")]
    private static partial Regex BindPattern();

    [GeneratedRegex("""public\s+[\w?<>\[\], ]+?\s+(?<name>\w+)\s*\{\s*get;\s*(?:set|init);""")]
    private static partial Regex PropertyPattern();

    [GeneratedRegex("""BlobStoreFactory\.FromConfiguration\(\s*[^,)]+(?:,\s*"(?<name>[^"]+)")?""")]
    private static partial Regex StorePattern();

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex HolePattern();
}
