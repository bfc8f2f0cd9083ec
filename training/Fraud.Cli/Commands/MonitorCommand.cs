using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;
using Fraud.Model.Drift;
using Fraud.Monitoring;
using Fraud.Registry;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud monitor</c>: one pass of the monitoring loop against a store (drift check, triggers, retraining, gate,
/// promotion), printed with the time each stage took. <c>--training-data</c> first stores the base training set
/// that retraining starts from.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var store = MonitoringCli.StoreOption();
        var modelName = MonitoringCli.ModelNameOption();
        var window = new Option<string?>("--window") { Description = "Prediction-log window of the drift check (default 24h)." };
        var force = new Option<bool>("--force") { Description = "Train a challenger even when no trigger fired (the gate still decides)." };
        var minNewLabels = new Option<int?>("--min-new-labels") { Description = "Retrain once this many labels arrived since the champion was trained (default 1000)." };
        var maxAge = new Option<string?>("--max-model-age") { Description = "Retrain when the champion is older than this, such as 30d (default 30d)." };
        var gain = new Option<double?>("--min-pr-auc-gain") { Description = "PR-AUC the challenger must gain over the champion on the holdout (default 0.005)." };
        var holdout = new Option<double?>("--holdout-fraction") { Description = "Share of the newest labelled baskets held out for the gate (default 0.3)." };
        var share = new Option<double?>("--dataset-drift-share") { Description = "Share of drifted features that makes the dataset drifted (default 0.5)." };
        var trainingData = new Option<string?>("--training-data") { Description = "First store this labelled CSV (challenge format) as the base training set for retraining; on a store without a champion, also train and register the first one from it." };
        var labels = new Option<string?>("--labels") { Description = "Labels CSV (ID,fraud_flag) for --training-data, when they are not its last column." };
        var param = new Option<string[]>("--param") { Description = "Challenger training parameter key=value (repeatable), as fraud train accepts.", AllowMultipleArgumentsPerToken = false };
        var threads = new Option<int>("--threads") { Description = "Worker threads; 0 = every core. Results do not depend on it." };
        var json = new Option<bool>("--json") { Description = "Print the outcome as JSON." };

        var command = new Command("monitor", "Run the monitoring loop once: drift check, retraining triggers, challenger training and the promotion gate.");
        foreach (var option in new Option[] { store, modelName, window, force, minNewLabels, maxAge, gain, holdout, share, trainingData, labels, param, threads, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, ct) =>
        {
            var options = BuildOptions(parseResult, window, force, minNewLabels, maxAge, gain, holdout, share, param, threads);
            var blobStore = MonitoringCli.OpenStore(parseResult.GetValue(store));
            if (parseResult.GetValue(trainingData) is { } dataPath)
            {
                var path = CliOptions.ExistingFile(dataPath, "--training-data");
                var labelsPath = parseResult.GetValue(labels) is { } l ? CliOptions.ExistingFile(l, "--labels") : null;
                var data = BasketCsv.ReadLabelled(path, labelsPath);

                var manifest = await new TrainingDataStore(blobStore).SaveBaseAsync(data.Baskets, data.Labels, Path.GetFileName(path), ct);
                CliConsole.WriteLine(CliConsole.Invariant($"Stored base training set: {manifest.Rows} baskets, {manifest.Frauds} frauds ({Path.GetFileName(path)})"));
                await TrainFirstChampionAsync(blobStore, parseResult.GetValue(modelName), data, options, ct);
            }

            var registry = new ModelRegistry(blobStore, parseResult.GetValue(modelName) ?? ModelRegistry.DefaultModelName);
            var job = new MonitoringJob(blobStore, registry, new RunTracker(blobStore));
            MonitoringOutcome outcome;
            try
            {
                outcome = await job.RunAsync(options, ct);
            }
            catch (Exception ex) when (ex is RegistryException or ModelFormatException or InvalidOperationException or InvalidDataException)
            {
                throw new CliException(ex.Message);
            }

            if (parseResult.GetValue(json))
            {
                CliConsole.WriteLine(JsonSerializer.Serialize(Summary(outcome), MonitorJsonContext.Default.MonitorSummary));
            }
            else
            {
                Print(outcome);
            }

            return 0;
        });
        return command;
    }

    // A store without a champion has nothing to monitor: the base set it was just given trains the first one.
    private static async Task TrainFirstChampionAsync(Fraud.Registry.Storage.IBlobStore store, string? modelName, LabelledDataset data, MonitoringOptions options, CancellationToken ct)
    {
        var registry = new ModelRegistry(store, modelName ?? ModelRegistry.DefaultModelName);
        if (await registry.GetAliasAsync(ModelAliases.Champion, ct) is not null)
        {
            return;
        }

        var run = await new RunTracker(store).StartRunAsync("train", options.Training.ToParameters(), ct: ct);
        TrainingResult result;
        try
        {
            result = ModelTrainer.Train(data.Baskets, data.Labels, options.Training with { Threads = options.Threads }, null, ct);
        }
        catch (ArgumentException ex)
        {
            await run.FailAsync(ex.Message, CancellationToken.None);
            throw new CliException($"--training-data: {ex.Message}");
        }

        await run.RecordResultAsync(result, ct: ct);
        var version = await registry.RegisterAsync(result, new RegistrationInfo(run.RunId, Source: "fraud monitor --training-data", Description: "first champion from the base training set"), ct);
        run.SetRegisteredVersion(version.Version);
        await run.CompleteAsync(ct: ct);
        CliConsole.WriteLine(CliConsole.Invariant($"No champion yet: trained and registered version {version.Version} on the base set (PR-AUC {result.Card.Metrics.PrAuc:F4}, {result.Card.TrainingSeconds:F1} s)"));
    }

    private static MonitoringOptions BuildOptions(
        ParseResult parseResult,
        Option<string?> window,
        Option<bool> force,
        Option<int?> minNewLabels,
        Option<string?> maxAge,
        Option<double?> gain,
        Option<double?> holdout,
        Option<double?> share,
        Option<string[]> param,
        Option<int> threads)
    {
        var options = new MonitoringOptions { Force = parseResult.GetValue(force) };
        if (parseResult.GetValue(window) is { } w)
        {
            options = options with { DriftWindow = MonitoringCli.ParseDuration(w, "--window") };
        }

        if (parseResult.GetValue(maxAge) is { } a)
        {
            options = options with { MaxModelAge = MonitoringCli.ParseDuration(a, "--max-model-age") };
        }

        if (parseResult.GetValue(minNewLabels) is { } n)
        {
            options = n < 0 ? throw new CliException("--min-new-labels must be at least 0.") : options with { MinNewLabels = n };
        }

        if (parseResult.GetValue(gain) is { } g)
        {
            options = g is < 0 or >= 1 ? throw new CliException("--min-pr-auc-gain must be in [0, 1).") : options with { Gate = options.Gate with { MinPrAucGain = g } };
        }

        if (parseResult.GetValue(holdout) is { } h)
        {
            options = h is <= 0 or > 0.9 ? throw new CliException("--holdout-fraction must be in (0, 0.9].") : options with { HoldoutFraction = h };
        }

        if (parseResult.GetValue(share) is { } s)
        {
            options = s is <= 0 or > 1 ? throw new CliException("--dataset-drift-share must be in (0, 1].") : options with { Drift = options.Drift with { DatasetDriftShare = s } };
        }

        var t = parseResult.GetValue(threads);
        options = t < 0 ? throw new CliException("--threads must be at least 0.") : options with { Threads = t };

        var training = options.Training;
        foreach (var pair in parseResult.GetValue(param) ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"--param expects key=value, not '{pair}'.");
            }

            try
            {
                training = training.WithParameter(pair[..eq].Trim(), pair[(eq + 1)..].Trim());
            }
            catch (ArgumentException ex)
            {
                throw new CliException($"--param {pair}: {ex.Message}");
            }
        }

        return options with { Training = training };
    }

    private static void Print(MonitoringOutcome outcome)
    {
        CliConsole.WriteLine($"Monitoring run {outcome.RunId}: {outcome.Decision}");
        CliConsole.WriteLine($"  {outcome.Reason}");
        if (outcome.Drift is { } drift)
        {
            CliConsole.WriteLine(CliConsole.Invariant($"  drift: {drift.CurrentRows} baskets in window, score PSI {drift.ScorePsi:F4} ({drift.ScoreStatus}), {DriftReportHtml.DriftedText(drift)}, dataset drift {(drift.DatasetDrift ? "YES" : "no")}"));
            CliConsole.WriteLine($"  drift report: runs/{(outcome.DriftReportBlobs.Count > 0 ? outcome.DriftReportBlobs[^1] : "-")}");
        }

        CliConsole.WriteLine(CliConsole.Invariant($"  triggers: {(outcome.Triggers.Count == 0 ? "none" : string.Join(", ", outcome.Triggers))}; labelled baskets {outcome.LabelledBaskets} ({outcome.NewLabels} new); training rows {outcome.TrainingRows}"));
        if (outcome.Gate is { } gate && !double.IsNaN(gate.ChampionPrAuc))
        {
            CliConsole.WriteLine(CliConsole.Invariant($"  gate on {gate.HoldoutRows} recent labelled baskets ({gate.HoldoutFrauds} frauds): PR-AUC champion {gate.ChampionPrAuc:F4} vs challenger {gate.ChallengerPrAuc:F4}; log-loss {gate.ChampionLogLoss:F4} vs {gate.ChallengerLogLoss:F4}"));
        }

        CliConsole.WriteLine(CliConsole.Invariant($"  champion {outcome.ChampionVersion ?? "-"}, challenger {outcome.ChallengerVersion ?? "-"}"));
        CliConsole.WriteLine(CliConsole.Invariant($"  time: drift {outcome.DriftTime.TotalSeconds:F2} s, data {outcome.DataTime.TotalSeconds:F2} s, retrain {outcome.TrainingTime.TotalSeconds:F2} s, gate {outcome.GateTime.TotalSeconds:F2} s, total {outcome.TotalTime.TotalSeconds:F2} s; peak working set {CliConsole.PeakWorkingSetMiB():F0} MiB"));
    }

    private static MonitorSummary Summary(MonitoringOutcome o) => new(
        o.RunId, o.Decision, o.Reason, o.ChampionVersion, o.ChallengerVersion, o.Triggers, o.Drift?.DatasetDrift, o.Drift?.ScorePsi, o.MaxPsi,
        o.Gate?.ChampionPrAuc is { } c && !double.IsNaN(c) ? c : null, o.Gate?.ChallengerPrAuc is { } ch && !double.IsNaN(ch) ? ch : null,
        o.LabelledBaskets, o.NewLabels, o.TrainingRows, Math.Round(o.TotalTime.TotalSeconds, 3));
}

/// <summary>The JSON shape of <c>fraud monitor --json</c>.</summary>
internal sealed record MonitorSummary(
    string? RunId,
    string Decision,
    string Reason,
    string? ChampionVersion,
    string? ChallengerVersion,
    IReadOnlyList<string> Triggers,
    bool? DatasetDrift,
    double? ScorePsi,
    double? MaxPsi,
    double? ChampionPrAuc,
    double? ChallengerPrAuc,
    int LabelledBaskets,
    int NewLabels,
    int TrainingRows,
    double Seconds);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(MonitorSummary))]
internal sealed partial class MonitorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
