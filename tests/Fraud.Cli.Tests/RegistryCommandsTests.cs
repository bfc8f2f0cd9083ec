using System.Text.Json;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

/// <summary>`fraud registry`, `fraud runs` and `fraud tune` through the real entry point, on real stores.</summary>
public sealed class RegistryCommandsTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly Lazy<TrainingResult> Small = new(() =>
    {
        var rows = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 3000, Seed = 21 }).ToList();
        var options = new TrainingOptions { Seed = 21, Threads = 1 };
        options = options with { Gbdt = options.Gbdt with { NumRounds = 10, EarlyStoppingRounds = 0 }, ImportanceSampleRows = 100 };
        return ModelTrainer.Train([.. rows.Select(r => r.Basket)], [.. rows.Select(r => r.IsFraud)], options);
    });

    // Trained on shuffled labels: it ranks baskets no better than chance.
    private static readonly Lazy<TrainingResult> Weak = new(() =>
    {
        var rows = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 3000, Seed = 22 }).ToList();
        var labels = rows.Select(r => r.IsFraud).ToArray();
        new Random(5).Shuffle(labels);
        var options = new TrainingOptions { Seed = 22, Threads = 1 };
        options = options with { Gbdt = options.Gbdt with { NumRounds = 10, EarlyStoppingRounds = 0 }, ImportanceSampleRows = 100 };
        return ModelTrainer.Train([.. rows.Select(r => r.Basket)], labels, options);
    });

    private readonly AzuriteFixture _azurite;
    private readonly TempDirectory _folder = new("fraud-cli-registry");

    public RegistryCommandsTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
    }

    private string Store => _folder.File("store");

    [Fact]
    public async Task ListingAnEmptyRegistrySaysHowToRegister()
    {
        var (exit, stdout, stderr) = await CliHarness.RunAsync("registry", "list", "--store", Store);

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains("No versions of basket-fraud", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromoteAndRollbackMoveTheChampionAndRecordEveryReason()
    {
        await RegisterAsync(3);
        await StoreHoldoutAsync();

        var promote = await CliHarness.RunAsync("registry", "promote", "3", "--reason", "beats 1 on held-out PR-AUC", "--store", Store);
        var rollback = await CliHarness.RunAsync("registry", "rollback", "--reason", "declines too many good baskets", "--store", Store);
        var history = await CliHarness.RunAsync("registry", "history", "--json", "--store", Store);

        Assert.Equal(0, promote.ExitCode);
        Assert.Contains("champion of basket-fraud: 1 -> 3 (promote: beats 1 on held-out PR-AUC)", promote.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, rollback.ExitCode);
        Assert.Contains("3 -> 1 (rollback: declines too many good baskets)", rollback.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(history.Stdout);
        Assert.Equal("1", doc.RootElement.GetProperty("version").GetString());
        var reasons = doc.RootElement.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("reason").GetString()).ToList();
        Assert.Equal(["first model registered", "beats 1 on held-out PR-AUC", "declines too many good baskets"], reasons);
    }

    [Fact]
    public async Task PromoteRefusesAVersionWorseOnTheCommonHoldoutUnlessForced()
    {
        await RegisterAsync(1);
        await Registry().RegisterAsync(Weak.Value, new RegistrationInfo(RunId: "weak"));

        var noHoldout = await CliHarness.RunAsync("registry", "promote", "2", "--reason", "looks better", "--store", Store);
        await StoreHoldoutAsync();
        var refused = await CliHarness.RunAsync("registry", "promote", "2", "--reason", "beats 1 on held-out PR-AUC", "--store", Store);
        var listed = await CliHarness.RunAsync("registry", "list", "--store", Store);
        var championAfterRefusal = (await Registry().GetAliasAsync(ModelAliases.Champion))!.Version;
        var forced = await CliHarness.RunAsync("registry", "promote", "2", "--reason", "shadow test", "--force", "--store", Store);

        Assert.NotEqual(0, noHoldout.ExitCode);
        Assert.Contains("No common holdout", noHoldout.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("worse than champion 1", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("1", championAfterRefusal);
        Assert.Contains("PR-AUC common holdout", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("PR-AUC own test split", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("common holdout", listed.Stdout.Split('\n')[^2], StringComparison.Ordinal);
        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("worse", forced.Stderr, StringComparison.Ordinal);
        Assert.Equal("2", (await Registry().GetAliasAsync(ModelAliases.Champion))!.Version);
    }

    [Fact]
    public async Task PromotingWithoutAReasonIsRefused()
    {
        await RegisterAsync(2);

        var (exit, _, stderr) = await CliHarness.RunAsync("registry", "promote", "2", "--store", Store);

        Assert.NotEqual(0, exit);
        Assert.Contains("--reason", stderr, StringComparison.Ordinal);
        Assert.Equal("1", (await Registry().GetAliasAsync(ModelAliases.Champion))!.Version);
    }

    [Fact]
    public async Task PromotingAnUnknownVersionIsAOneLineError()
    {
        await RegisterAsync(1);

        var (exit, stdout, stderr) = await CliHarness.RunAsync("registry", "promote", "9", "--reason", "why not", "--store", Store);

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("error: Version 9 of basket-fraud does not exist; `fraud registry list` shows the versions.\n", stderr);
    }

    [Fact]
    public async Task APromotionThatLostARaceExitsWithAConflict()
    {
        await RegisterAsync(3);
        await Registry().PromoteAsync("2", ModelAliases.Champion, "someone else was faster");

        var (exit, _, stderr) = await CliHarness.RunAsync("registry", "promote", "3", "--expect", "1", "--reason", "decided against 1", "--store", Store);

        Assert.Equal(3, exit);
        Assert.StartsWith("error: conflict: champion of basket-fraud is version 2, not 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromotionsRacingFromSeparateProcessesOnTheFileStoreLetExactlyOneWin()
    {
        await RegisterAsync(5);
        var fraud = Path.Combine(AppContext.BaseDirectory, "fraud.dll");

        // Real OS processes sharing one folder: the file store's lock files must hold across them, as Azure's ETags do.
        var racers = Enumerable.Range(2, 4).Select(v =>
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { fraud, "registry", "promote", v.ToString(System.Globalization.CultureInfo.InvariantCulture), "--expect", "1", "--reason", $"process {v}", "--force", "--store", Store })
            {
                start.ArgumentList.Add(arg);
            }

            return System.Diagnostics.Process.Start(start)!;
        }).ToList();
        var exits = new List<int>();
        foreach (var process in racers)
        {
            await process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            exits.Add(process.ExitCode);
            process.Dispose();
        }

        Assert.Equal(1, exits.Count(e => e == 0));
        Assert.Equal(3, exits.Count(e => e == 3));
        var champion = await Registry().GetAliasAsync(ModelAliases.Champion);
        Assert.Equal(2, champion!.History.Count);
        Assert.Equal($"process {champion.Version}", champion.History[^1].Reason);
    }

    [Fact]
    public async Task ShowAsJsonGivesLineageMetricsAndAliases()
    {
        await RegisterAsync(2);

        var (exit, stdout, _) = await CliHarness.RunAsync("registry", "show", "2", "--json", "--store", Store);

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var version = doc.RootElement.GetProperty("version");
        Assert.Equal("2", version.GetProperty("version").GetString());
        Assert.Equal("1", version.GetProperty("parent_version").GetString());
        Assert.Equal("cli-test-run-2", version.GetProperty("run_id").GetString());
        Assert.Equal(Small.Value.Card.DataFingerprint, version.GetProperty("data_fingerprint").GetString());
        Assert.Empty(doc.RootElement.GetProperty("aliases").EnumerateArray());
    }

    [Fact]
    public async Task ListShowsVersionsWithTheirAliasesInATable()
    {
        await RegisterAsync(2);
        await Registry().PromoteAsync("2", ModelAliases.Challenger, "shadow it");

        var (exit, stdout, _) = await CliHarness.RunAsync("registry", "list", "--store", Store);

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("│ 1 ", StringComparison.Ordinal) && l.Contains("champion", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("│ 2 ", StringComparison.Ordinal) && l.Contains("challenger", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABadStoreSettingIsAOneLineError()
    {
        var (exit, _, stderr) = await CliHarness.RunAsync("registry", "list", "--store", "AccountName=acct;AccountKey=not base64!");

        Assert.Equal(1, exit);
        Assert.StartsWith("error: --store: The storage connection string is not valid: it needs AccountName with AccountKey (Base64)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64!", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRegistryVerbsWorkAgainstAzuriteWithAConnectionString()
    {
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var registry = new ModelRegistry(BlobStoreFactory.Create(_azurite.ConnectionString), name);
        await registry.RegisterAsync(Small.Value, new RegistrationInfo());
        await registry.RegisterAsync(Small.Value, new RegistrationInfo());

        var promote = await CliHarness.RunAsync("registry", "promote", "2", "--reason", "via Azurite", "--force", "--store", _azurite.ConnectionString, "--model-name", name);
        var list = await CliHarness.RunAsync("registry", "list", "--json", "--store", _azurite.ConnectionString, "--model-name", name);

        Assert.Equal(0, promote.ExitCode);
        Assert.DoesNotContain("\\u002B", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("+00:00", list.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(list.Stdout);
        Assert.Equal("2", doc.RootElement.GetProperty("champion").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("versions").GetArrayLength());
        Assert.DoesNotContain(AzuriteFixture.AccountKey, list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TuneTracksEveryTrialRegistersTheBestAndRunsCompareChartsTwoTrials()
    {
        var data = SyntheticBaskets.WriteDataset(_folder.File("data"), new GeneratorOptions { Rows = 5000, Seed = 8 });

        var tune = await CliHarness.RunAsync(
            "tune", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--trials", "2", "--param", "num_rounds=8", "--param", "threads=1", "--register", "--store", Store);

        Assert.Equal(0, tune.ExitCode);
        Assert.Contains("registered basket-fraud version 1 (champion: first model registered)", tune.Stdout, StringComparison.Ordinal);
        var runs = await CliHarness.RunAsync("runs", "list", "--json", "--store", Store);
        using var doc = JsonDocument.Parse(runs.Stdout);
        var trials = doc.RootElement.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "tune-trial").ToList();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.True(t.GetProperty("metrics").GetProperty("holdout_pr_auc").GetDouble() > 0));
        Assert.All(trials, t => Assert.True(t.GetProperty("metric_history").GetProperty("round_train_log_loss").GetArrayLength() > 0));
        var registered = Assert.Single(trials, t => t.TryGetProperty("registered_version", out _));
        Assert.Equal(registered.GetProperty("id").GetString(), (await Registry().GetVersionAsync("1"))!.RunId);

        var html = _folder.File("compare.html");
        var compare = await CliHarness.RunAsync("runs", "compare", trials[0].GetProperty("id").GetString()!, trials[1].GetProperty("id").GetString()!, "--output", html, "--store", Store);

        Assert.Equal(0, compare.ExitCode);
        Assert.Contains("holdout_pr_auc", compare.Stdout, StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(html);
        Assert.True(page.Split("<polyline", StringSplitOptions.None).Length - 1 >= 2, "both PR curves are drawn");
    }

    [Fact]
    public async Task TrainWithRegisterTracksTheRunAndRegistersTheFirstChampion()
    {
        var data = SyntheticBaskets.WriteDataset(_folder.File("train-data"), new GeneratorOptions { Rows = 4000, Seed = 5 });

        var train = await CliHarness.RunAsync(
            "train", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--output", _folder.File("model"), "--param", "num_rounds=8", "--store", Store, "--register");

        Assert.Equal(0, train.ExitCode);
        Assert.Contains("registered basket-fraud version 1 (champion: first model registered)", train.Stdout, StringComparison.Ordinal);
        var runs = await CliHarness.RunAsync("runs", "list", "--kind", "train", "--json", "--store", Store);
        using var doc = JsonDocument.Parse(runs.Stdout);
        var run = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("1", run.GetProperty("registered_version").GetString());
        Assert.Equal("8", run.GetProperty("parameters").GetProperty("num_rounds").GetString());
        Assert.Equal(8, run.GetProperty("metric_history").GetProperty("round_train_log_loss").GetArrayLength());
        Assert.Equal("X.csv", run.GetProperty("dataset").GetProperty("source").GetString());
        Assert.Equal(run.GetProperty("id").GetString(), (await Registry().GetVersionAsync("1"))!.RunId);
        Assert.True(File.Exists(_folder.File("model/model.json")));
    }

    [Fact]
    public async Task TwoTrainRunsStoreTheirPrCurvesAndRunsCompareDrawsBoth()
    {
        var data = SyntheticBaskets.WriteDataset(_folder.File("curve-data"), new GeneratorOptions { Rows = 4000, Seed = 7 });
        foreach (var seed in new[] { "1", "2" })
        {
            var train = await CliHarness.RunAsync(
                "train", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--output", _folder.File("model-" + seed), "--seed", seed, "--param", "num_rounds=8", "--store", Store);
            Assert.True(train.ExitCode == 0, train.Stderr);
        }

        var runs = await CliHarness.RunAsync("runs", "list", "--kind", "train", "--json", "--store", Store);
        using var doc = JsonDocument.Parse(runs.Stdout);
        var ids = doc.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, ids.Count);
        Assert.All(doc.RootElement.EnumerateArray(), r => Assert.Contains("pr_curve.json", r.GetProperty("artifacts").EnumerateArray().Select(a => a.GetString())));

        var html = _folder.File("compare-train.html");
        var compare = await CliHarness.RunAsync("runs", "compare", ids[0], ids[1], "--output", html, "--store", Store);

        Assert.Equal(0, compare.ExitCode);
        var page = await File.ReadAllTextAsync(html);
        Assert.True(page.Split("<polyline", StringSplitOptions.None).Length - 1 >= 2, "both PR curves are drawn");
    }

    [Fact]
    public async Task TrainingTheSameModelTwiceRegistersItOnceAndSaysSoWithOneFraudRateAndRoundedDurations()
    {
        // 59 frauds in 4,000 baskets is 1.475 %: the CLI printed 1.47 % ("P2" rounds the binary value, just below) and the
        // report 1.48% (a custom format rounds 15 digits): one rule now, half away from zero (issue 19, item 14).
        var data = SyntheticBaskets.WriteDataset(_folder.File("rate-data"), new GeneratorOptions { Rows = 4000, Seed = 7 });
        var labels = File.ReadAllLines(data.LabelsPath);
        var frauds = 0;
        for (var i = 1; i < labels.Length; i++)
        {
            var id = labels[i][..labels[i].IndexOf(',', StringComparison.Ordinal)];
            labels[i] = id + ((frauds < 59 && i % 60 == 0) || 4000 - i < 59 - frauds ? ",1" : ",0");
            frauds += labels[i].EndsWith(",1", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.Equal(59, frauds);
        File.WriteAllLines(data.LabelsPath, labels);
        string[] Train(string output) =>
            ["train", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--output", _folder.File(output), "--seed", "3", "--param", "num_rounds=8", "--store", Store, "--register"];

        var first = await CliHarness.RunAsync(Train("model-a"));
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("(1.48 % fraud)", first.Stdout + first.Stderr, StringComparison.Ordinal);
        Assert.Contains("fraud rate 1.48 %", await File.ReadAllTextAsync(Path.Combine(_folder.File("model-a"), "report.html")), StringComparison.Ordinal);

        // The same data, seed and parameters give the same model: no second version, and the command says which it is.
        var second = await CliHarness.RunAsync(Train("model-b"));
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("not registered again: this model is identical to basket-fraud version 1", second.Stdout + second.Stderr, StringComparison.Ordinal);
        Assert.Single(await Registry().ListAsync());

        // Durations in tenths of a second, not 117.5737.
        var list = await CliHarness.RunAsync("runs", "list", "--kind", "train", "--store", Store);
        var rows = list.Stdout.Split('\n').Where(l => l.Contains("│ train ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Matches(@"│ completed │ [0-9: -]+ │ \d+\.\d +│", row));
    }

    [Fact]
    public async Task TrainWithRegisterAgainstAnUnreachableStoreFailsBeforeTraining()
    {
        var data = SyntheticBaskets.WriteDataset(_folder.File("train-data"), new GeneratorOptions { Rows = 1000, Seed = 6 });
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var unreachable = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/{AzuriteFixture.AccountName};";

        var (exit, stdout, stderr) = await CliHarness.RunAsync(
            "train", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--output", _folder.File("model"), "--store", unreachable, "--register");

        Assert.Equal(1, exit);
        Assert.StartsWith("error: --store: ", stderr, StringComparison.Ordinal);
        Assert.Contains("unreachable", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("labelled baskets", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuccessiveHalvingGivesTheSurvivorMoreRoundsAndTracksEveryRung()
    {
        var data = SyntheticBaskets.WriteDataset(_folder.File("halving-data"), new GeneratorOptions { Rows = 4000, Seed = 9 });

        var tune = await CliHarness.RunAsync(
            "tune", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--trials", "3", "--strategy", "halving", "--param", "num_rounds=30", "--store", Store);

        Assert.Equal(0, tune.ExitCode);
        var runs = await CliHarness.RunAsync("runs", "list", "--kind", "tune-trial", "--json", "--store", Store);
        using var doc = JsonDocument.Parse(runs.Stdout);
        var trials = doc.RootElement.EnumerateArray()
            .Select(r => (Rung: r.GetProperty("tags").GetProperty("rung").GetString(), Rounds: r.GetProperty("parameters").GetProperty("num_rounds").GetString()))
            .ToList();
        Assert.Equal(3, trials.Count(t => t is { Rung: "1", Rounds: "10" }));
        Assert.Equal(1, trials.Count(t => t is { Rung: "2", Rounds: "30" }));
        Assert.Equal(4, trials.Count);
    }

    [Fact]
    public async Task TheSameSeedTunesTheSameWayWhateverTheThreadCount()
    {
        var data = SyntheticBaskets.WriteDataset(_folder.File("seed-data"), new GeneratorOptions { Rows = 3000, Seed = 10 });
        var results = new List<List<(string Parameters, double PrAuc)>>();
        foreach (var threads in new[] { "1", "2" })
        {
            var store = _folder.File("store-threads-" + threads);
            var tune = await CliHarness.RunAsync(
                "tune", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--trials", "2", "--seed", "4", "--param", "num_rounds=6", "--param", "threads=" + threads, "--store", store);
            Assert.Equal(0, tune.ExitCode);
            var runs = await CliHarness.RunAsync("runs", "list", "--kind", "tune-trial", "--json", "--store", store);
            using var doc = JsonDocument.Parse(runs.Stdout);
            results.Add([.. doc.RootElement.EnumerateArray()
                .Select(r => (Parameters: string.Join(",", r.GetProperty("parameters").EnumerateObject().Where(p => p.Name != "threads").Select(p => $"{p.Name}={p.Value.GetString()}")),
                              PrAuc: r.GetProperty("metrics").GetProperty("holdout_pr_auc").GetDouble()))
                .OrderBy(t => t.Parameters, StringComparer.Ordinal)]);
        }

        Assert.Equal(results[0], results[1]);
    }

    [Fact]
    public async Task ShowingAMissingRunIsAOneLineError()
    {
        var (exit, _, stderr) = await CliHarness.RunAsync("runs", "show", "20250101-000000-abcdef", "--store", Store);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: no run 20250101-000000-abcdef in file store at", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private ModelRegistry Registry() => new(new FileBlobStore(Store));

    private async Task StoreHoldoutAsync()
    {
        var folder = _folder.File("holdout");
        SyntheticBaskets.WriteDataset(folder, new GeneratorOptions { Rows = 3000, Seed = 99 });
        var stored = await CliHarness.RunAsync("registry", "holdout", "--data", Path.Combine(folder, "X.csv"), "--labels", Path.Combine(folder, "Y.csv"), "--description", "seed 99", "--store", Store);
        Assert.True(stored.ExitCode == 0, stored.Stderr);
    }

    private async Task RegisterAsync(int count)
    {
        var registry = Registry();
        for (var i = 1; i <= count; i++)
        {
            await registry.RegisterAsync(Small.Value, new RegistrationInfo(RunId: $"cli-test-run-{i}"));
        }
    }
}
