using System.Text;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Registry.Tests.Tracking;

public sealed class RunTrackerTests : IDisposable
{
    private readonly TempDirectory _folder = new("fraud-runs");
    private readonly RunTracker _tracker;

    public RunTrackerTests()
    {
        _tracker = new RunTracker(new FileBlobStore(_folder.Path));
    }

    [Fact]
    public async Task ARunIsVisibleAsRunningFromItsStartAndCompleteWithEverythingLogged()
    {
        var run = await _tracker.StartRunAsync("train", new Dictionary<string, string> { ["learning_rate"] = "0.05" });
        var running = await _tracker.GetAsync(run.RunId);
        Assert.Equal(RunStatus.Running, running!.Status);

        run.LogParameter("num_leaves", "31");
        run.LogMetric("round_valid_pr_auc", 0.41, step: 1);
        run.LogMetric("round_valid_pr_auc", 0.45, step: 2);
        run.LogMetric("test_pr_auc", 0.47);
        using (run.Time("featurize"))
        {
            await Task.Delay(5);
        }

        run.SetDataset("abc123", 5000, 0.014, "X.csv");
        await run.SaveArtifactAsync("notes.txt", Encoding.UTF8.GetBytes("hello"), "text/plain");
        await run.CompleteAsync();

        var done = await _tracker.GetAsync(run.RunId);
        Assert.Equal(RunStatus.Completed, done!.Status);
        Assert.Equal("0.05", done.Parameters["learning_rate"]);
        Assert.Equal("31", done.Parameters["num_leaves"]);
        Assert.Equal(0.45, done.Metrics["round_valid_pr_auc"]);
        Assert.Equal([new MetricPoint(1, 0.41), new MetricPoint(2, 0.45)], done.MetricHistory["round_valid_pr_auc"]);
        Assert.True(done.Timings["featurize"] > 0);
        Assert.Equal(new RunDataset("abc123", 5000, 0.014, "X.csv"), done.Dataset);
        Assert.Contains("runtime", done.Environment.Keys);
        Assert.Contains("code_version", done.Environment.Keys);
        Assert.Equal(["notes.txt"], done.Artifacts);
        Assert.Equal("hello", Encoding.UTF8.GetString((await _tracker.GetArtifactAsync(run.RunId, "notes.txt"))!.Value.Span));
        Assert.NotNull(done.DurationSeconds);
    }

    [Fact]
    public async Task AFailedRunKeepsItsErrorAndRunsListNewestFirst()
    {
        var first = await _tracker.StartRunAsync("train");
        await first.FailAsync("cannot train: only 1 fraudulent basket");
        await Task.Delay(20);
        var second = await _tracker.StartRunAsync("tune");
        await second.CompleteAsync();

        var runs = await _tracker.ListAsync();

        Assert.Equal([second.RunId, first.RunId], runs.Select(r => r.Id));
        Assert.Equal("cannot train: only 1 fraudulent basket", runs[1].Error);
        Assert.Equal(RunStatus.Failed, runs[1].Status);
    }

    [Fact]
    public async Task ATrainingResultIsRecordedWithItsLearningCurveCardAndReport()
    {
        var run = await _tracker.StartRunAsync("train");

        await run.RecordResultAsync(TestModels.A, new PrCurve([new PrPoint(0, 1), new PrPoint(1, 0.02)]));
        await run.CompleteAsync();

        var record = (await _tracker.GetAsync(run.RunId))!;
        Assert.Equal(TestModels.A.Card.Metrics.PrAuc, record.Metrics["test_pr_auc"]);
        Assert.Equal(TestModels.A.LearningCurve.Count, record.MetricHistory["round_train_log_loss"].Count);
        Assert.Equal(TestModels.A.Card.DataFingerprint, record.Dataset!.Fingerprint);
        Assert.Equal(["card.json", "report.html", PrCurve.ArtifactName], record.Artifacts);
        Assert.Equal(TestModels.A.Card.Parameters["learning_rate"], record.Parameters["learning_rate"]);
    }

    [Fact]
    public async Task ComparingTwoRunsPutsMetricsSideBySideAndBothPrCurvesInOneChart()
    {
        var a = await _tracker.StartRunAsync("tune-trial", new Dictionary<string, string> { ["learning_rate"] = "0.05", ["num_leaves"] = "31" });
        a.LogMetric("holdout_pr_auc", 0.40);
        await a.CompleteAsync();
        var b = await _tracker.StartRunAsync("tune-trial", new Dictionary<string, string> { ["learning_rate"] = "0.1", ["num_leaves"] = "31" });
        b.LogMetric("holdout_pr_auc", 0.45);
        await b.CompleteAsync();
        var ra = (await _tracker.GetAsync(a.RunId))!;
        var rb = (await _tracker.GetAsync(b.RunId))!;

        var metrics = RunComparison.Metrics(ra, rb);
        var html = RunComparison.ToHtml(ra, rb, new PrCurve([new PrPoint(0, 1), new PrPoint(1, 0.1)]), new PrCurve([new PrPoint(0, 1), new PrPoint(0.5, 0.6), new PrPoint(1, 0.1)]));

        var row = Assert.Single(metrics, m => m.Name == "holdout_pr_auc");
        Assert.Equal(0.05, row.Delta!.Value, 10);
        Assert.Equal([("learning_rate", "0.05", "0.1")], RunComparison.ParameterDifferences(ra, rb));
        Assert.Equal(2, html.Split("<polyline", StringSplitOptions.None).Length - 1);
        Assert.Contains(a.RunId, html, StringComparison.Ordinal);
        Assert.Contains(b.RunId, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunIdsAndArtifactNamesCannotEscapeTheRunsContainer()
    {
        var run = await _tracker.StartRunAsync("train");

        await Assert.ThrowsAsync<ArgumentException>(() => _tracker.GetAsync("../models"));
        await Assert.ThrowsAsync<ArgumentException>(() => run.SaveArtifactAsync("../../x", new byte[1]));
    }

    public void Dispose() => _folder.Dispose();
}
