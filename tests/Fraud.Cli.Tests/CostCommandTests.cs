using System.Text.RegularExpressions;

namespace Fraud.Cli.Tests;

/// <summary>
/// `fraud cost` at tiny sizes through the real entry point: child training processes, a prediction log written through
/// the product's writer, the monitoring job in a child process, and a real handler process over HTTP (the handler project
/// is referenced so its build lands beside the tests). Checks that every section and goal line is printed with figures,
/// never what the figures are.
/// </summary>
public sealed partial class CostCommandTests
{
    [Fact]
    public async Task PrintsEverySectionAndAVerdictPerGoalAtTinySizes()
    {
        var (exitCode, stdout, stderr) = await CliHarness.RunAsync(
            "cost", "--sizes", "4000,6000", "--windows", "600,1200", "--batch", "300", "--load", "3000", "--connections", "1",
            "--param", "ensemble_members=2");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        Assert.Matches(LoadAverageLine(), stdout);
        // Training: one row per size with a time and a peak resident set, and the growth factor of the second.
        Assert.Contains("== training", stdout, StringComparison.Ordinal);
        Assert.Matches(TrainingRow("4,000"), stdout);
        Assert.Matches(TrainingRow("6,000"), stdout);
        // Windows: the drift check and the data read for each window, read back from the log written.
        Assert.Contains("== drift check and retraining data read", stdout, StringComparison.Ordinal);
        Assert.Matches(WindowRow("600"), stdout);
        Assert.Matches(WindowRow("1,200"), stdout);
        Assert.DoesNotContain("warning: the drift window held", stdout, StringComparison.Ordinal);
        // The handler: the batch was scored in full, and memory was sampled during and after the load.
        Assert.Contains("== ProcessBatch", stdout, StringComparison.Ordinal);
        Assert.Contains("ProcessBatch 300 baskets scored in", stdout, StringComparison.Ordinal);
        Assert.Contains("== handler memory under load", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n   3,000\s+\|\s+\d+ \|", stdout);
        Assert.Matches(@"\n   after 10 s idle\s+\|\s+\d+ \|", stdout);
        Assert.Matches(@"handler peak RSS \(VmHWM.*\): \d+ MiB", stdout);
        // One line per goal; those this run cannot measure say so instead of a verdict.
        Assert.Matches(@"training grows no worse than linearly .*k = -?\d+\.\d\d \(wall: -?\d+\.\d\d\) (MET|MISSED)", stdout);
        Assert.Contains("1,000,000 rows trained in ≤ 3 min: NOT MEASURED", stdout, StringComparison.Ordinal);
        Assert.Contains("1,000,000 rows trained in ≤ 4 GB: NOT MEASURED", stdout, StringComparison.Ordinal);
        Assert.Matches(@"memory flat under load .*\d+ -> \d+ MiB \(\d+\.\d\d x\) (MET|MISSED)", stdout);
    }

    [Fact]
    public async Task NoHandlerMeasuresTrainingAndTheJobAndSaysTheHandlerGoalWasNotMeasured()
    {
        var (exitCode, stdout, stderr) = await CliHarness.RunAsync(
            "cost", "--sizes", "4000", "--windows", "600", "--no-handler", "--param", "ensemble_members=2");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        Assert.Matches(TrainingRow("4,000"), stdout);
        Assert.Matches(WindowRow("600"), stdout);
        Assert.Contains("capped at 500,000 rows", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("== ProcessBatch", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("== handler memory under load", stdout, StringComparison.Ordinal);
        Assert.Contains("memory flat under load: NOT MEASURED (--no-handler)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainWorkerTracesItsStagesAndScoresAHeldOutSetWhenAsked()
    {
        // The large-data rule switched on by a small threshold, so the trace and the result show two members.
        var (exitCode, stdout, stderr) = await CliHarness.RunAsync(
            "cost-worker", "train", "--rows", "4000", "--seed", "1", "--trace", "--test-rows", "2000",
            "--param", "large_data_rows=3000", "--param", "num_rounds=20");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        Assert.Matches(@"trace +\d+\.\d s wall +\d+\.\d s CPU  featurize: member 1/2", stderr);
        Assert.Matches(@"trace +\d+\.\d s wall +\d+\.\d s CPU  boost: member 2/2: round 1,", stderr);
        Assert.Matches(@"cost-test 2000 baskets seed 2: PR-AUC 0\.\d+ oracle 0\.\d+ baseline 0\.\d+", stdout);
        Assert.Matches(@"""members"":2[,}]", stdout);
        Assert.Matches(@"""cpuSeconds"":\d", stdout);
    }

    [Fact]
    public async Task RefusesASizeThatIsNotANumber()
    {
        var (exitCode, _, stderr) = await CliHarness.RunAsync("cost", "--sizes", "92790,lots");

        Assert.Equal(1, exitCode);
        Assert.Contains("--sizes", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"load average at start \d+\.\d+")]
    private static partial Regex LoadAverageLine();

    private static Regex TrainingRow(string rows) => new(@"\n\s+" + Regex.Escape(rows) + @" \|\s+\d+\.\d \|\s+\d+\.\d \|.*\|\s+\d+ \|\s+\d+ \|\s+\d+");

    private static Regex WindowRow(string rows) => new(@"\n\s+" + Regex.Escape(rows) + @" \|\s+\d+\.\d \|\s+\d+\.\d \|\s+\d+\.\d \|\s+\d+\.\d \|\s+\d+\.\d \|\s+[\d,]+ \|\s+\d+");
}
