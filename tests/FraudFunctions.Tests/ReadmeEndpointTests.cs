using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fraud.Testing;

namespace FraudFunctions.Tests;

/// <summary>
/// Issue 19.9: the README's list of endpoints must be true under both hosts. Every endpoint it says the Functions host
/// serves has a function folder whose function.json has that route and method; every function folder is in the list;
/// every <c>/api/...</c> URL the README's examples call is in the list.
/// </summary>
public sealed partial class ReadmeEndpointTests
{
    private static readonly string Readme = File.ReadAllText(RepositoryPaths.Combine("README.md"));
    private static readonly string HandlerFolder = RepositoryPaths.Combine("functions", "FraudFunctions");

    [Fact]
    public void EveryEndpointTheReadmeServesUnderTheHostHasAMatchingFunctionJson()
    {
        var rows = Rows();
        Assert.NotEmpty(rows);
        foreach (var (endpoints, functions) in rows.Where(r => r.Functions.Count > 0))
        {
            Assert.True(endpoints.Count == functions.Count, $"README row {string.Join(", ", endpoints)} names {functions.Count} functions");
            for (var i = 0; i < endpoints.Count; i++)
            {
                var (method, path) = endpoints[i];
                var file = Path.Combine(HandlerFolder, functions[i], "function.json");
                Assert.True(File.Exists(file), $"README says {method} {path} is served under the host by {functions[i]}, but {file} does not exist.");
                var trigger = JsonNode.Parse(File.ReadAllText(file))!["bindings"]!.AsArray()
                    .Select(b => b!.AsObject())
                    .Single(b => b["direction"]?.GetValue<string>() == "in" && b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
                if (trigger["type"]!.GetValue<string>() == "httpTrigger")
                {
                    Assert.Equal(path["/api/".Length..], trigger["route"]!.GetValue<string>());
                    Assert.Contains(method.ToLowerInvariant(), trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
                }
                else
                {
                    // Non-HTTP functions arrive as POST /<FunctionName>.
                    Assert.Equal($"/{functions[i]}", path);
                }
            }
        }
    }

    [Fact]
    public void EveryFunctionFolderIsInTheReadmesList()
    {
        var listed = Rows().SelectMany(r => r.Functions).ToHashSet(StringComparer.Ordinal);
        var folders = Directory.EnumerateDirectories(HandlerFolder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(Path.GetFileName)
            .ToList();

        Assert.NotEmpty(folders);
        Assert.All(folders, f => Assert.True(listed.Contains(f!), $"{f}/function.json is not in the README's endpoint table."));
    }

    [Fact]
    public void EveryApiUrlTheReadmeCallsIsInTheList()
    {
        var listed = Rows().SelectMany(r => r.Endpoints).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var called = CalledUrl().Matches(Readme).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(called);
        Assert.All(called, path => Assert.True(listed.Contains(path), $"The README calls {path} but its endpoint table does not list it."));
    }

    // The table after "Where each endpoint is served": endpoints in the first column, function folders in the third
    // ("standalone only" rows name none).
    private static List<(List<(string Method, string Path)> Endpoints, List<string> Functions)> Rows()
    {
        var start = Readme.IndexOf("Where each endpoint is served", StringComparison.Ordinal);
        Assert.True(start >= 0, "The README has no 'Where each endpoint is served' table.");
        var rows = new List<(List<(string, string)>, List<string>)>();
        foreach (var line in Readme[start..].Split('\n').SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            var endpoints = Endpoint().Matches(cells[1]).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
            var functions = cells[3].Contains("standalone only", StringComparison.Ordinal)
                ? []
                : Code().Matches(cells[3]).Select(m => m.Groups[1].Value).ToList();
            rows.Add((endpoints, functions));
        }

        return rows;
    }

    [GeneratedRegex(@"`(GET|POST) (/[^` ]*)`")]
    private static partial Regex Endpoint();

    [GeneratedRegex(@"`([A-Za-z]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"127\.0\.0\.1:7071(/api/[a-z/]+)")]
    private static partial Regex CalledUrl();
}
