using System.Text.Json.Nodes;
using Infra.Tests.Reading;

namespace Infra.Tests;

// The dashboard is a workbook; its JSON is what the portal renders.
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

        Assert.Contains(texts, q => q.StartsWith("requests", StringComparison.Ordinal) && q.Contains("count()", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("percentile(duration, 50)", StringComparison.Ordinal) && q.Contains("percentile(duration, 99)", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'fraud.decisions'", StringComparison.Ordinal) && q.Contains("decision", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'fraud.rate'", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'fraud.drift.psi'", StringComparison.Ordinal) && q.Contains("by feature", StringComparison.Ordinal));
        Assert.Contains(texts, q => q.Contains("'ModelPromoted'", StringComparison.Ordinal) && q.Contains("'ModelRolledBack'", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryPanelQueriesApplicationInsightsOverTheSelectedTimeRange()
    {
        var parameter = Workbook.Value["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["type"]!.GetValue<int>() == 9);

        Assert.Equal("TimeRange", parameter["content"]!["parameters"]![0]!["name"]!.GetValue<string>());
        Assert.All(Queries, q =>
        {
            Assert.Equal("TimeRange", q["timeContextFromParameter"]?.GetValue<string>());
            Assert.Equal("microsoft.insights/components", q["resourceType"]?.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(q["title"]?.GetValue<string>()));
        });
    }

    [Fact]
    public void TheBicepLoadsTheWorkbookAndPointsItAtTheComponent()
    {
        var (_, workbook) = Repo.Module("workbook");
        var resource = workbook.OfType("Microsoft.Insights/workbooks").Single();
        var fallback = Workbook.Value["fallbackResourceIds"]!.AsArray().Single()!.GetValue<string>();

        Assert.Contains("loadTextContent('dashboard.workbook.json')", resource.Find("properties.serializedData")!.Text, StringComparison.Ordinal);
        Assert.Contains($"'{fallback}'", resource.Find("properties.serializedData")!.Text, StringComparison.Ordinal);
        Assert.Equal("applicationInsights.id", resource.Find("properties.sourceId")?.Text);
    }
}
