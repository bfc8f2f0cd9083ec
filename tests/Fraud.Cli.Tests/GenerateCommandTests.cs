using Fraud.Baskets;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public async Task GeneratesTheThreeChallengeFilesAndPrintsTheirFigures()
    {
        using var folder = new TempDirectory();

        var (exitCode, stdout, stderr) = await CliHarness.RunAsync("generate", "--rows", "2000", "--seed", "4", "--output", folder.Path);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains("Wrote 2000 baskets (seed 4)", stdout, StringComparison.Ordinal);
        Assert.Contains("oracle PR-AUC", stdout, StringComparison.Ordinal);
        var data = BasketCsv.ReadLabelled(folder.File("X.csv"), folder.File("Y.csv"));
        Assert.Equal(2000, data.Baskets.Count);
        Assert.True(data.Join.IsComplete);
        Assert.Equal(2001, File.ReadAllLines(folder.File("oracle.csv")).Length);
        Assert.DoesNotContain('\u001b', stdout);
    }

    [Fact]
    public async Task SameSeedFromTheCommandLineWritesTheSameBytes()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();

        await CliHarness.RunAsync("generate", "--rows", "500", "--seed", "9", "--output", a.Path);
        await CliHarness.RunAsync("generate", "--rows", "500", "--seed", "9", "-o", b.Path);

        Assert.Equal(File.ReadAllBytes(a.File("X.csv")), File.ReadAllBytes(b.File("X.csv")));
        Assert.Equal(File.ReadAllBytes(a.File("Y.csv")), File.ReadAllBytes(b.File("Y.csv")));
    }

    [Fact]
    public async Task DriftFlagWritesADriftedPopulation()
    {
        using var folder = new TempDirectory();

        var (exitCode, stdout, _) = await CliHarness.RunAsync("generate", "--rows", "300", "--seed", "4", "--drift", "--output", folder.Path);

        Assert.Equal(0, exitCode);
        Assert.Contains("drifted", stdout, StringComparison.Ordinal);
        Assert.StartsWith("4d-", File.ReadAllLines(folder.File("Y.csv"))[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MechanismFlagWritesThatMechanismsBaskets()
    {
        using var folder = new TempDirectory();

        var (exitCode, stdout, _) = await CliHarness.RunAsync("generate", "--rows", "300", "--seed", "4", "--mechanism", "stolen-identity", "--output", folder.Path);

        Assert.Equal(0, exitCode);
        Assert.Contains("mechanism stolen-identity", stdout, StringComparison.Ordinal);
        Assert.StartsWith("4i-", File.ReadAllLines(folder.File("Y.csv"))[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAnUnknownMechanismNamingTheChoices()
    {
        using var folder = new TempDirectory();

        var (exitCode, _, stderr) = await CliHarness.RunAsync("generate", "--rows", "10", "--mechanism", "phishing", "--output", folder.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--mechanism must be one of retail, reseller, stolen-identity, stuffing, not 'phishing'", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task TrainRefusesAnUnknownLearnerWithOneLine()
    {
        using var folder = new TempDirectory();
        await CliHarness.RunAsync("generate", "--rows", "300", "--seed", "4", "--output", folder.Path);

        var (exitCode, _, stderr) = await CliHarness.RunAsync("train", "--data", folder.File("X.csv"), "--labels", folder.File("Y.csv"), "--output", folder.File("model"), "--param", "learner=xgboost");

        Assert.NotEqual(0, exitCode);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("learner", stderr, StringComparison.Ordinal);
        Assert.Contains("gbdt, fasttree, lightgbm", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("100000000")]
    public async Task RejectsARowCountOutOfRangeWithOneLine(string rows)
    {
        using var folder = new TempDirectory();

        var (exitCode, _, stderr) = await CliHarness.RunAsync("generate", "--rows", rows, "--output", folder.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--rows", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAnOutputThatIsAFile()
    {
        using var folder = new TempDirectory();
        var file = folder.File("taken");
        await File.WriteAllTextAsync(file, "x");

        var (exitCode, _, stderr) = await CliHarness.RunAsync("generate", "--rows", "10", "--output", file);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --output", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequiresAnOutputFolder()
    {
        var (exitCode, _, stderr) = await CliHarness.RunAsync("generate", "--rows", "10");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--output", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpDescribesEveryOption()
    {
        var (exitCode, stdout, _) = await CliHarness.RunAsync("generate", "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--rows", "--seed", "--output", "--drift" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DataStatsReadsTheFileBackWithFraudRateAndCost()
    {
        using var folder = new TempDirectory();
        await CliHarness.RunAsync("generate", "--rows", "1500", "--seed", "4", "--output", folder.Path);
        var frauds = File.ReadAllLines(folder.File("Y.csv")).Count(l => l.EndsWith(",1", StringComparison.Ordinal));

        var (exitCode, stdout, stderr) = await CliHarness.RunAsync("data", "stats", "--input", folder.File("X.csv"), "--labels", folder.File("Y.csv"));

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, stderr);
        Assert.StartsWith("1500 baskets", stdout, StringComparison.Ordinal);
        Assert.Contains($"({frauds} of 1500 labelled)", stdout, StringComparison.Ordinal);
        Assert.Contains("peak working set", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataStatsNamesTheBadLineAndColumnOrSkipsWhenAsked()
    {
        using var folder = new TempDirectory();
        await CliHarness.RunAsync("generate", "--rows", "20", "--seed", "4", "--output", folder.Path);
        var lines = File.ReadAllLines(folder.File("X.csv"));
        var cells = lines[5].Split(',');
        cells[25] = "free";
        lines[5] = string.Join(',', cells);
        File.WriteAllLines(folder.File("X.csv"), lines);

        var (failCode, _, failErr) = await CliHarness.RunAsync("data", "stats", "--input", folder.File("X.csv"));
        var (skipCode, skipOut, _) = await CliHarness.RunAsync("data", "stats", "--input", folder.File("X.csv"), "--skip-bad-rows");

        Assert.Equal(1, failCode);
        Assert.Equal("error: X.csv: line 6, column cash_price1: Expected a unit price but found 'free'.", failErr.Trim());
        Assert.Equal(0, skipCode);
        Assert.StartsWith("19 baskets", skipOut, StringComparison.Ordinal);
        Assert.Contains("1 bad rows skipped", skipOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataStatsReportsAMissingFile()
    {
        var (exitCode, _, stderr) = await CliHarness.RunAsync("data", "stats", "--input", "/no/such/X.csv");

        Assert.Equal(1, exitCode);
        Assert.Equal("error: --input: file not found: /no/such/X.csv", stderr.Trim());
    }
}
