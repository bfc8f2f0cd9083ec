using System.Text.RegularExpressions;
using Infra.Tests.Reading;

namespace Infra.Tests;

// An alert that reaches nobody, queries a name the handler never emits, or has no runbook is worse than none.
public sealed partial class AlertTests
{
    private static readonly Lazy<BicepFile> Alerts = new(() => Repo.Module("alerts").File);

    private static IEnumerable<BicepResource> LogAlerts => Alerts.Value.OfType("Microsoft.Insights/scheduledQueryRules");

    private static IEnumerable<BicepResource> MetricAlerts => Alerts.Value.OfType("Microsoft.Insights/metricAlerts");

    private static string ActionGroupSymbol => Alerts.Value.OfType("Microsoft.Insights/actionGroups").Single().Symbol;

    [Fact]
    public void EveryAlertRoutesToTheActionGroup()
    {
        var expected = $"{ActionGroupSymbol}.id";

        Assert.NotEmpty(LogAlerts);
        Assert.All(LogAlerts, a => Assert.Equal([expected], a.Find("properties.actions.actionGroups")!.AsArray().Select(v => v.Text)));
        Assert.NotEmpty(MetricAlerts);
        Assert.All(MetricAlerts, a => Assert.Equal([expected], a.Find("properties.actions")!.AsArray().Select(v => v.AsObject()["actionGroupId"]?.Text)));
    }

    [Fact]
    public void TheActionGroupEmailsTheParameterisedAddress()
    {
        var group = Alerts.Value.OfType("Microsoft.Insights/actionGroups").Single();
        var (call, _) = Repo.Module("alerts");
        var parameters = File.ReadAllText(Path.Combine(Repo.InfraFolder, "main.parameters.json"));

        Assert.Contains("emailAddress: alertEmail", group.Find("properties.emailReceivers")!.Text, StringComparison.Ordinal);
        Assert.Equal("alertEmail", call.Find("params")!.AsObject()["alertEmail"]?.Text);
        Assert.NotNull(Repo.Main.Param("alertEmail")?.Value);
        Assert.Contains("\"alertEmail\"", parameters, StringComparison.Ordinal);
    }

    [Fact]
    public void AlertsCoverEverySignalTheServiceMustWatch()
    {
        var queries = LogAlerts.Select(Query).ToList();
        var metrics = MetricAlerts.SelectMany(a => a.Find("properties.criteria.allOf")!.AsArray()).Select(c => c.AsObject()["metricName"]?.StringLiteral).ToList();

        Assert.Contains(queries, q => q.Contains("name == 'ScoreBasket'", StringComparison.Ordinal) && q.Contains("percentile(duration, 99)", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.StartsWith("requests", StringComparison.Ordinal) && q.Contains("success == false", StringComparison.Ordinal));
        Assert.Contains("DeadletteredMessages", metrics);
        Assert.Contains(queries, q => q.Contains("name == 'DriftAlert'", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("name == 'fraud.decisions'", StringComparison.Ordinal) || q.Contains("name == 'fraud.rate'", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("name == 'fraud.model.age_days'", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("name == 'fraud.prediction_log.dropped'", StringComparison.Ordinal));
    }

    [Fact]
    public void DeadLetterAlertWatchesTheBatchQueue()
    {
        var criterion = MetricAlerts.Single().Find("properties.criteria.allOf")!.AsArray().Single().AsObject();
        var dimension = criterion["dimensions"]!.AsArray().Single().AsObject();
        var (call, _) = Repo.Module("alerts");

        Assert.Equal("EntityName", dimension["name"]?.StringLiteral);
        Assert.Equal("batchQueueName", dimension["values"]!.AsArray().Single().Text);
        Assert.Equal("basket-batches", BicepResolver.Resolve(call.Find("params")!.AsObject()["batchQueueName"], Repo.Main));
    }

    [Fact]
    public void EveryAlertHasARunbookSectionInOperationsMd()
    {
        var runbook = File.ReadAllLines(Repo.Combine("docs", "operations.md"));
        var anchors = runbook.Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => Slug(l[3..])).ToHashSet(StringComparer.Ordinal);

        foreach (var alert in LogAlerts.Concat(MetricAlerts))
        {
            var anchor = RunbookAnchor().Match(alert.Find("properties.description")!.Text);
            Assert.True(anchor.Success, $"{alert.Symbol}: the description links no runbook section.");
            Assert.Contains(anchor.Groups[1].Value, anchors);
        }

        Assert.Equal(LogAlerts.Count() + MetricAlerts.Count(), anchors.Count);
    }

    [Fact]
    public void TelemetryNamesQueriedByAlertsAndTheWorkbookAreTheDocumentedOnes()
    {
        var known = Repo.Settings.Metrics.Concat(Repo.Settings.Events).Concat(Repo.Settings.Functions).ToHashSet(StringComparer.Ordinal);
        var workbook = File.ReadAllText(Path.Combine(Repo.InfraFolder, "monitoring", "dashboard.workbook.json"));
        var text = string.Join('\n', LogAlerts.Select(Query)) + "\n" + Regex.Unescape(workbook);

        var names = NameFilter().Matches(text).SelectMany(m => QuotedName().Matches(m.Groups[1].Value).Select(q => q.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("fraud.drift.psi", names);
        var unknown = names.Where(n => !known.Contains(n)).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void EveryDocumentedTelemetryNameIsDefinedInTheHandlersTelemetryClass()
    {
        var source = File.ReadAllText(Repo.Combine("training", "Fraud.Monitoring", "Telemetry", "FraudMetrics.cs"));

        var missing = Repo.Settings.Metrics.Concat(Repo.Settings.Events).Where(n => !source.Contains($"\"{n}\"", StringComparison.Ordinal)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void LogAlertsAggregateAColumnTheirQueryProduces()
    {
        foreach (var alert in LogAlerts)
        {
            var criterion = alert.Find("properties.criteria.allOf")!.AsArray().Single().AsObject();
            var column = criterion["metricMeasureColumn"]?.StringLiteral;
            if (column is null)
            {
                Assert.Equal("Count", criterion["timeAggregation"]?.StringLiteral);
                continue;
            }

            Assert.Matches($@"\b{Regex.Escape(column)}\s*=", Query(alert));
        }
    }

    private static string Query(BicepResource alert) =>
        alert.Find("properties.criteria.allOf")!.AsArray().Single().AsObject()["query"]!.StringLiteral!.Trim();

    // GitHub's heading anchors: lower case, punctuation other than '-' dropped, spaces to '-'.
    private static string Slug(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-')).Replace(' ', '-');

    [GeneratedRegex(@"Runbook: \$\{runbookUrl\}#([a-z0-9-]+)")]
    private static partial Regex RunbookAnchor();

    [GeneratedRegex(@"\bname\s*(?:==|in)\s*(\('[^)]*\)|'[^']*')")]
    private static partial Regex NameFilter();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedName();
}
