using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Infra.Tests.Reading;

namespace Infra.Tests;

// An alert that reaches nobody, queries a table or name the exporter never writes, or has no runbook is worse than none.
public sealed partial class AlertTests
{
    private static ArmTemplate Alerts => Repo.Compiled("monitoring/alerts.bicep");

    private static IEnumerable<JsonObject> LogAlerts => Alerts.OfType("Microsoft.Insights/scheduledQueryRules");

    private static IEnumerable<JsonObject> MetricAlerts => Alerts.OfType("Microsoft.Insights/metricAlerts");

    private const string ActionGroupId = "[resourceId('Microsoft.Insights/actionGroups', format('ag-fraud-{0}', parameters('namePrefix')))]";

    [Fact]
    public void EveryAlertRoutesToTheActionGroup()
    {
        Assert.NotEmpty(LogAlerts);
        Assert.All(LogAlerts, a => Assert.Equal([ActionGroupId], ArmTemplate.Find(a, "properties.actions.actionGroups")!.AsArray().Select(ArmTemplate.Text)));
        Assert.NotEmpty(MetricAlerts);
        Assert.All(MetricAlerts, a => Assert.Equal([ActionGroupId], ArmTemplate.Find(a, "properties.actions")!.AsArray().Select(v => ArmTemplate.Text(v!["actionGroupId"]))));
    }

    [Fact]
    public void TheActionGroupEmailsTheParameterisedAddress()
    {
        var group = Alerts.OfType("Microsoft.Insights/actionGroups").Single();
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.InfraFolder, "main.parameters.json")))!["parameters"]!;

        Assert.Contains("'emailAddress', parameters('alertEmail')", ArmTemplate.Text(ArmTemplate.Find(group, "properties.emailReceivers")), StringComparison.Ordinal);
        Assert.Equal("[parameters('alertEmail')]", ArmTemplate.Text(ArmTemplate.Passed(Repo.Main.Module("alerts"), "alertEmail")));
        Assert.Equal("${ALERT_EMAIL=}", parameters["alertEmail"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void LogAlertsQueryTheWorkspaceBehindApplicationInsights()
    {
        Assert.All(LogAlerts, a => Assert.Equal(["[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]"], ArmTemplate.Find(a, "properties.scopes")!.AsArray().Select(ArmTemplate.Text)));
        Assert.Contains("'Microsoft.Resources/deployments', 'monitoring'", ArmTemplate.Text(ArmTemplate.Passed(Repo.Main.Module("alerts"), "logAnalyticsName")), StringComparison.Ordinal);
    }

    // The tables and columns the Azure Monitor OpenTelemetry exporter fills in a workspace-based component
    // (docs/monitoring.md cites the table references): nothing from the classic schema (requests, customMetrics,
    // customEvents, valueSum, customDimensions) may remain.
    [Fact]
    public void QueriesUseOnlyTheWorkspaceTablesTheExporterFills()
    {
        var workbook = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.InfraFolder, "monitoring", "dashboard.workbook.json")))!;
        var queries = LogAlerts.Select(Query)
            .Concat(workbook["items"]!.AsArray().Select(i => i!["content"]!["query"]).OfType<JsonNode>().Select(q => q.GetValue<string>()))
            .ToList();
        string[] classic = ["requests", "customMetrics", "customEvents", "valueSum", "valueMax", "valueCount", "customDimensions", "timestamp", "duration", "success"];

        Assert.All(queries, q =>
        {
            var tables = TableName().Matches(q).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(tables);
            Assert.All(tables, t => Assert.Contains(t, new[] { "AppRequests", "AppMetrics", "AppEvents" }));
            Assert.All(classic, c => Assert.DoesNotMatch($@"\b{c}\b", q));
        });
    }

    [Fact]
    public void AlertsCoverEverySignalTheServiceMustWatch()
    {
        var queries = LogAlerts.Select(Query).ToList();
        var metrics = MetricAlerts.SelectMany(a => ArmTemplate.Find(a, "properties.criteria.allOf")!.AsArray()).Select(c => ArmTemplate.Text(c!["metricName"])).ToList();

        Assert.Contains(queries, q => q.Contains("Name == 'POST /api/score'", StringComparison.Ordinal) && q.Contains("percentile(DurationMs, 99)", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.StartsWith("AppRequests", StringComparison.Ordinal) && q.Contains("Success == false", StringComparison.Ordinal));
        Assert.Contains("DeadletteredMessages", metrics);
        Assert.Contains(queries, q => q.Contains("Name == 'DriftAlert'", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("Name == 'fraud.decisions'", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("Name == 'fraud.model.age_days'", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("Name == 'fraud.prediction_log.dropped'", StringComparison.Ordinal));
    }

    [Fact]
    public void DeadLetterAlertWatchesTheBatchQueue()
    {
        var criterion = ArmTemplate.Find(MetricAlerts.Single(), "properties.criteria.allOf")!.AsArray().Single()!;
        var dimension = criterion["dimensions"]!.AsArray().Single()!;

        Assert.Equal("EntityName", ArmTemplate.Text(dimension["name"]));
        Assert.Equal("[parameters('batchQueueName')]", ArmTemplate.Text(dimension["values"]!.AsArray().Single()));
        Assert.Equal("basket-batches", ArmTemplate.Text(Repo.Main.Literal(ArmTemplate.Passed(Repo.Main.Module("alerts"), "batchQueueName"))));
    }

    [Fact]
    public void EveryAlertHasARunbookSectionInOperationsMd()
    {
        var runbook = File.ReadAllLines(Repo.Combine("docs", "operations.md"));
        var alerts = LogAlerts.Concat(MetricAlerts).ToList();
        var anchors = runbook.Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => Slug(l[3..])).ToHashSet(StringComparer.Ordinal);

        foreach (var alert in alerts)
        {
            var anchor = RunbookAnchor().Match(ArmTemplate.Text(ArmTemplate.Find(alert, "properties.description"))!);
            Assert.True(anchor.Success, $"{ArmTemplate.Text(alert["name"])}: the description links no runbook section.");
            Assert.Contains(anchor.Groups[1].Value, anchors);
        }

        Assert.True(alerts.Count <= anchors.Count);
    }

    [Fact]
    public void TelemetryNamesQueriedByAlertsAndTheWorkbookAreTheDocumentedOnes()
    {
        var known = Repo.Settings.Metrics.Concat(Repo.Settings.Events).Concat(Repo.Settings.Requests).ToHashSet(StringComparer.Ordinal);
        var workbook = File.ReadAllText(Path.Combine(Repo.InfraFolder, "monitoring", "dashboard.workbook.json"));
        var text = string.Join('\n', LogAlerts.Select(Query)) + "\n" + Regex.Unescape(workbook);

        var names = NameFilter().Matches(text).SelectMany(m => QuotedName().Matches(m.Groups[1].Value).Select(q => q.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("fraud.drift.psi", names);
        Assert.Contains("POST /api/score", names);
        var unknown = names.Where(n => !known.Contains(n)).ToList();
        Assert.Empty(unknown);
    }

    // Both ways: every documented name is the one the code defines (FraudMetrics), and every name the code defines is documented.
    [Fact]
    public void DocumentedTelemetryNamesAndTheCodesNamesAreTheSameSet()
    {
        Assert.Equal(Fraud.Monitoring.Telemetry.FraudMetrics.MetricNames.Order(StringComparer.Ordinal), Repo.Settings.Metrics.Order(StringComparer.Ordinal));
        Assert.Equal(Fraud.Monitoring.Telemetry.FraudMetrics.EventNames.Order(StringComparer.Ordinal), Repo.Settings.Events.Order(StringComparer.Ordinal));
        Assert.Equal([Fraud.Monitoring.Telemetry.FraudMetrics.ScoreRequestName], Repo.Settings.Requests);
    }

    [Fact]
    public void LogAlertsAggregateAColumnTheirQueryProduces()
    {
        foreach (var alert in LogAlerts)
        {
            var criterion = ArmTemplate.Find(alert, "properties.criteria.allOf")!.AsArray().Single()!;
            var column = ArmTemplate.Text(criterion["metricMeasureColumn"]);
            if (column is null)
            {
                Assert.Equal("Count", ArmTemplate.Text(criterion["timeAggregation"]));
                continue;
            }

            Assert.Matches($@"\b{Regex.Escape(column)}\s*=", Query(alert));
        }
    }

    private static string Query(JsonObject alert) =>
        ArmTemplate.Text(ArmTemplate.Find(alert, "properties.criteria.allOf")!.AsArray().Single()!["query"])!.Trim();

    // GitHub's heading anchors: lower case, punctuation other than '-' dropped, spaces to '-'.
    private static string Slug(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-')).Replace(' ', '-');

    [GeneratedRegex(@"Runbook: \{\d\}#([a-z0-9-]+)")]
    private static partial Regex RunbookAnchor();

    [GeneratedRegex(@"\bName\s*(?:==|in)\s*(\('[^)]*\)|'[^']*')")]
    private static partial Regex NameFilter();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedName();

    // A table is the first word of a query or of a union leg / let binding.
    [GeneratedRegex(@"(?:^|\(|=)\s*(App\w+|requests|customMetrics|customEvents|traces)\b", RegexOptions.Multiline)]
    private static partial Regex TableName();
}
