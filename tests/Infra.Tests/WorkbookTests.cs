using System.Text.Json.Nodes;
using Infra.Tests.Reading;

namespace Infra.Tests;

// The dashboard is a workbook; its JSON is what the portal renders, over the workspace's App* tables.
public sealed class WorkbookTests
{
    private static readonly Lazy<JsonObject> Workbook = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.InfraFolder, "monitoring", "dashboard.workbook.json")))!.AsObject());

    private static IEnumerable<JsonObject> Queries => Workbook.Value["items"]!.AsArray()
        .Select(i => i!.AsObject())
        .Where(i => i["type"]!.GetValue<int>() == 3)
        .Select(i => i["content"]!.AsObject());

    [Fact]
    public void HasAPanelForEveryTopicOfTheDashboard()
    {
        var texts = Queries.Select(q => q["query"]!.GetValue<string>()).ToList();

        Assert.Contains(texts, q => q.StartsWith("AppRequests", StringComparison.Ordinal) && q.Contains("count()", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("percentile(DurationMs, 50)", StringComparison.Ordinal) && q.Contains("percentile(DurationMs, 99)", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'fraud.decisions'", StringComparison.Ordinal) && q.Contains("Properties.decision", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'fraud.rate'", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'fraud.drift.psi'", StringComparison.Ordinal) && q.Contains("by feature", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'ModelPromoted'", StringComparison.Ordinal) && q.Contains("'ModelRolledBack'", StringComparison.Ordinal) && q.Contains("'ModelLoaded'", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryPanelQueriesTheWorkspaceOverTheSelectedTimeRange()
    {
        var parameter = Workbook.Value["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["type"]!.GetValue<int>() == 9);

        Assert.Equal("TimeRange", parameter["content"]!["parameters"]![0]!["name"]!.GetValue<string>());
        Assert.All(Queries, q =>
        {
            Assert.Equal("TimeRange", q["timeContextFromParameter"]?.GetValue<string>());
            Assert.Equal("microsoft.operationalinsights/workspaces", q["resourceType"]?.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(q["title"]?.GetValue<string>()));
            Assert.Matches("^(AppRequests|AppMetrics|AppEvents|union)", q["query"]!.GetValue<string>());
        });
    }

    [Fact]
    public void TheCompiledWorkbookCarriesThisFileAndPointsItAtTheWorkspace()
    {
        var workbook = Repo.Compiled("monitoring/workbook.bicep");
        var resource = workbook.OfType("Microsoft.Insights/workbooks").Single();
        var fallback = Workbook.Value["fallbackResourceIds"]!.AsArray().Single()!.GetValue<string>();
        // loadTextContent is resolved by the compiler into a variable holding the file's text.
        var loaded = workbook.Variables.Single(v => v.Key.StartsWith("$fxv#", StringComparison.Ordinal)).Value!.GetValue<string>();

        Assert.Equal(File.ReadAllText(Path.Combine(Repo.InfraFolder, "monitoring", "dashboard.workbook.json")), loaded);
        Assert.Contains($"'{fallback}'", ArmTemplate.Text(ArmTemplate.Find(resource, "properties.serializedData")), StringComparison.Ordinal);
        Assert.Equal("[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]", ArmTemplate.Text(ArmTemplate.Find(resource, "properties.sourceId")));
    }
}
