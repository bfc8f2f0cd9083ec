using System.Text.Json;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

/// <summary>`fraud simulate`, `fraud drift` and `fraud monitor` through the real entry point on a real file store.</summary>
public sealed class MonitoringCommandsTests : IDisposable
{
    private static readonly Lazy<TrainingResult> Champion = new(() =>
    {
        var rows = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 6000, Seed = 31 }).ToList();
        var options = new TrainingOptions { Seed = 31, Threads = 1 };
        options = options with { Gbdt = options.Gbdt with { NumRounds = 20, EarlyStoppingRounds = 0 }, ImportanceSampleRows = 100 };
        return ModelTrainer.Train([.. rows.Select(r => r.Basket)], [.. rows.Select(r => r.IsFraud)], options);
    });

    private readonly TempDirectory _folder = new("fraud-cli-monitoring");

    private string Store => _folder.File("store");

    [Fact]
    public async Task DriftCheckPassesSimulatedStandardTrafficAndFlagsADriftedFile()
    {
        await RegisterChampionAsync();
        var simulate = await CliHarness.RunAsync("simulate", "--scenario", "standard", "--store", Store, "--count", "2000", "--seed", "801");
        var drifted = _folder.File("drifted.csv");
        await using (var writer = new StreamWriter(drifted))
        {
            BasketCsv.WriteBaskets(writer, SyntheticBaskets.Generate(new GeneratorOptions { Rows = 2000, Seed = 802, Drift = true }).Select(b => b.Basket));
        }

        var window = await CliHarness.RunAsync("drift", "--store", Store, "--window", "24h", "--json");
        var file = await CliHarness.RunAsync("drift", "--store", Store, "--input", drifted, "--json");

        Assert.Equal(0, simulate.ExitCode);
        Assert.Contains("Scenario standard: 2000 baskets", simulate.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, window.ExitCode);
        using var standard = JsonDocument.Parse(window.Stdout);
        Assert.False(standard.RootElement.GetProperty("datasetDrift").GetBoolean());
        Assert.Equal("ok", standard.RootElement.GetProperty("verdict").GetString());
        Assert.StartsWith("no shift beyond sampling noise", standard.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", standard.RootElement.GetProperty("status").GetString());
        Assert.Equal(2000, standard.RootElement.GetProperty("currentRows").GetInt32());
        Assert.True(standard.RootElement.GetProperty("scorePsi").GetDouble() < 0.1);
        Assert.True(standard.RootElement.GetProperty("features").GetArrayLength() > 10);
        Assert.Equal(0, file.ExitCode);
        using var shifted = JsonDocument.Parse(file.Stdout);
        Assert.True(shifted.RootElement.GetProperty("flagged").GetBoolean(), file.Stdout[..Math.Min(400, file.Stdout.Length)]);
        Assert.True(shifted.RootElement.GetProperty("driftedFeatures").GetInt32() > 0);
        Assert.True(shifted.RootElement.GetProperty("datasetDrift").GetBoolean(), file.Stdout[..Math.Min(600, file.Stdout.Length)]);
        // The contract: datasetDrift is true exactly when the verdict is alert, and the verdict comes with its reason.
        Assert.Equal("alert", shifted.RootElement.GetProperty("verdict").GetString());
        Assert.Contains("prices +", shifted.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var classifier = shifted.RootElement.GetProperty("classifier");
        Assert.True(classifier.GetProperty("auc").GetDouble() >= classifier.GetProperty("alertAuc").GetDouble());
        Assert.NotEmpty(classifier.GetProperty("topFeatures").EnumerateArray());
        Assert.Equal("alert", shifted.RootElement.GetProperty("status").GetString());
        Assert.Equal("inputs", shifted.RootElement.GetProperty("datasetDriftBasis").GetString());
        Assert.True(shifted.RootElement.GetProperty("driftedShare").GetDouble() >= 0.5);
        Assert.DoesNotContain(standard.RootElement.GetProperty("inputs").EnumerateArray(), i => i.GetProperty("drifted").GetBoolean());
    }

    [Fact]
    public async Task FailOnDriftExitsWithThreeOnADriftedFileOnly()
    {
        await RegisterChampionAsync();
        var standard = _folder.File("standard.csv");
        var drifted = _folder.File("drifted.csv");
        await using (var writer = new StreamWriter(standard))
        {
            BasketCsv.WriteBaskets(writer, SyntheticBaskets.Generate(new GeneratorOptions { Rows = 2000, Seed = 804 }).Select(b => b.Basket));
        }

        await using (var writer = new StreamWriter(drifted))
        {
            BasketCsv.WriteBaskets(writer, SyntheticBaskets.Generate(new GeneratorOptions { Rows = 2000, Seed = 805, Drift = true }).Select(b => b.Basket));
        }

        var passed = await CliHarness.RunAsync("drift", "--store", Store, "--input", standard, "--fail-on-drift");
        var failed = await CliHarness.RunAsync("drift", "--store", Store, "--input", drifted, "--fail-on-drift");

        Assert.Equal(0, passed.ExitCode);
        Assert.Contains("dataset drift: no", passed.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("dataset drift: YES", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("input signals by PSI:", failed.Stdout, StringComparison.Ordinal);
        // The model's mean probability is named for what it is, never called an observed fraud rate.
        Assert.Contains("mean predicted fraud probability: ", passed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("fraud rate: observed", passed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DriftSummaryAndReportFilesAreWritten()
    {
        await RegisterChampionAsync();
        await CliHarness.RunAsync("simulate", "--scenario", "drift", "--store", Store, "--count", "600", "--seed", "803");
        var output = _folder.File("report");

        var result = await CliHarness.RunAsync("drift", "--store", Store, "--output", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Drift check of 600 baskets (prediction log, last 24h) against model 1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("score PSI", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(output, "drift-report.html")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "drift-report.json")));
    }

    [Fact]
    public async Task MonitorStoresTheBaseSetRunsOnceAndReportsItsDecision()
    {
        await RegisterChampionAsync();
        SyntheticBaskets.WriteDataset(_folder.File("data"), new GeneratorOptions { Rows = 500, Seed = 804 });

        var result = await CliHarness.RunAsync(
            "monitor", "--store", Store, "--training-data", _folder.File("data/X.csv"), "--labels", _folder.File("data/Y.csv"));
        var json = await CliHarness.RunAsync("monitor", "--store", Store, "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Stored base training set: 500 baskets", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(": no-retrain", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("time: drift", result.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("no-retrain", doc.RootElement.GetProperty("decision").GetString());
        Assert.Equal("1", doc.RootElement.GetProperty("championVersion").GetString());
        var runs = await new RunTracker(Fraud.Registry.Storage.BlobStoreFactory.Create(Store)).ListAsync();
        Assert.Equal(2, runs.Count(r => r.Kind == "monitor"));
    }

    [Theory]
    [InlineData("drift --store STORE --window 24h --input x.csv", "--window and --input exclude each other")]
    [InlineData("drift --store STORE --window 24x", "--window: expected a duration such as 90s, 30m, 24h or 7d, not '24x'.")]
    [InlineData("simulate --scenario storm --url http://127.0.0.1:9", "--scenario must be standard, attack or drift, not 'storm'.")]
    [InlineData("simulate --scenario standard", "Give exactly one of --url (a running handler) or --store (score in-process).")]
    [InlineData("simulate --scenario standard --url ftp://x", "--url must be an absolute http(s) URL, not 'ftp://x'.")]
    [InlineData("simulate --scenario drift --store STORE --count 0", "--count must be between 1 and 5000000, not 0.")]
    [InlineData("monitor --store STORE --min-pr-auc-gain 2", "--min-pr-auc-gain must be in [0, 1).")]
    [InlineData("monitor --store STORE --param num_rounds", "--param expects key=value, not 'num_rounds'.")]
    public async Task BadOptionsFailWithOneClearLine(string args, string message)
    {
        var result = await CliHarness.RunAsync([.. args.Split(' ').Select(a => a == "STORE" ? Store : a)]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {message}", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task MonitorOnAnEmptyStoreTrainsTheFirstChampionFromTheBaseSet()
    {
        SyntheticBaskets.WriteDataset(_folder.File("data"), new GeneratorOptions { Rows = 6000, Seed = 805 });

        var result = await CliHarness.RunAsync(
            "monitor", "--store", Store, "--training-data", _folder.File("data/X.csv"), "--labels", _folder.File("data/Y.csv"),
            "--param", "num_rounds=15", "--param", "early_stopping_rounds=0");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("No champion yet: trained and registered version 1 on the base set", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(": no-retrain", result.Stdout, StringComparison.Ordinal);
        var champion = await new ModelRegistry(Fraud.Registry.Storage.BlobStoreFactory.Create(Store)).GetAliasAsync(ModelAliases.Champion);
        Assert.Equal("1", champion!.Version);
    }

    [Fact]
    public async Task FirstChampionFromTooFewFraudsFailsWithTheTrainersReason()
    {
        SyntheticBaskets.WriteDataset(_folder.File("tiny"), new GeneratorOptions { Rows = 300, Seed = 806 });

        var result = await CliHarness.RunAsync("monitor", "--store", Store, "--training-data", _folder.File("tiny/X.csv"), "--labels", _folder.File("tiny/Y.csv"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: --training-data: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DriftOnAStoreWithoutChampionSaysWhatIsMissing()
    {
        var result = await CliHarness.RunAsync("drift", "--store", Store);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no champion for basket-fraud", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulateAgainstAHandlerThatIsNotThereFailsWithOneLine()
    {
        var result = await CliHarness.RunAsync("simulate", "--scenario", "attack", "--url", "http://127.0.0.1:9", "--count", "10");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot reach http://127.0.0.1:9/api/score/batch", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    public void Dispose() => _folder.Dispose();

    private async Task RegisterChampionAsync() =>
        await new ModelRegistry(Fraud.Registry.Storage.BlobStoreFactory.Create(Store)).RegisterAsync(Champion.Value, new RegistrationInfo(Source: "test"));
}
