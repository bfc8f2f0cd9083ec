using System.Text.RegularExpressions;

namespace Infra.Tests.Reading;

/// <summary>One row of the app-settings table of docs/settings.md.</summary>
/// <param name="Name">The setting.</param>
/// <param name="InAzure">The "in Azure (Bicep)" cell: <c>set</c>, <c>not set</c>, <c>(host)</c> or a value in backticks.</param>
public sealed record DocumentedSetting(string Name, string InAzure)
{
    /// <summary>True when the Bicep must set it.</summary>
    public bool SetInAzure => !InAzure.Contains("not set", StringComparison.OrdinalIgnoreCase) && !InAzure.Contains("(host)", StringComparison.Ordinal);

    /// <summary>The exact value the Bicep must give it, when the table names one.</summary>
    public string? RequiredValue => SettingsDocument.Backticked(InAzure).FirstOrDefault();
}

/// <summary>docs/settings.md, the single table of names shared by the handler, the function.json files and the Bicep.</summary>
public sealed partial class SettingsDocument
{
    private readonly string[] _lines;

    public SettingsDocument(string markdown)
    {
        _lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
    }

    /// <summary>Rows of "App settings read by the handler".</summary>
    public IReadOnlyList<DocumentedSetting> HandlerSettings =>
        Table("App settings read by the handler")
            .Select(cells => new DocumentedSetting(Backticked(cells[0]).Single(), cells[^1]))
            .ToList();

    /// <summary>Every setting of the "Host settings" table, with its meaning cell.</summary>
    public IReadOnlyList<(string Name, string Meaning)> HostSettings =>
        Table("Host settings")
            .SelectMany(cells => Backticked(cells[0]).Select(name => (name, cells[^1])))
            .ToList();

    public IReadOnlyList<string> Containers => Backticked(string.Join('\n', Section("Blob containers"))).ToList();

    public IReadOnlyList<string> Queues => Table("Queues").Select(cells => Backticked(cells[0]).Single()).ToList();

    public IReadOnlyList<string> Functions => Table("Functions").Select(cells => Backticked(cells[0]).Single()).ToList();

    /// <summary>Metric names (<c>fraud.*</c>) of the telemetry section.</summary>
    public IReadOnlyList<string> Metrics =>
        Backticked(string.Join('\n', Section("Telemetry names"))).Where(n => n.StartsWith("fraud.", StringComparison.Ordinal)).Distinct().ToList();

    /// <summary>Custom event names: the backticked names on the "Custom events:" line.</summary>
    public IReadOnlyList<string> Events =>
        Backticked(string.Join(' ', Section("Telemetry names").Where(l => l.StartsWith("Custom events:", StringComparison.Ordinal)))).ToList();

    /// <summary>Request names the handler's server spans carry (AppRequests.Name): the backticked names on the "Requests:" line.</summary>
    public IReadOnlyList<string> Requests =>
        Backticked(string.Join(' ', Section("Telemetry names").Where(l => l.StartsWith("Requests:", StringComparison.Ordinal)))).ToList();

    public static IEnumerable<string> Backticked(string text) => BacktickPattern().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>Lines of the section whose heading starts with <paramref name="heading"/>, up to the next heading.</summary>
    public IEnumerable<string> Section(string heading)
    {
        var start = Array.FindIndex(_lines, l => l.StartsWith('#') && l.TrimStart('#', ' ').StartsWith(heading, StringComparison.Ordinal));
        if (start < 0)
        {
            throw new InvalidOperationException($"docs/settings.md has no section '{heading}'.");
        }

        return _lines.Skip(start + 1).TakeWhile(l => !l.StartsWith('#'));
    }

    /// <summary>Body rows (cells) of the first table in a section.</summary>
    public IEnumerable<string[]> Table(string heading) =>
        Section(heading)
            .SkipWhile(l => !l.StartsWith('|'))
            .TakeWhile(l => l.StartsWith('|'))
            .Skip(2)
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray());

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex BacktickPattern();
}
