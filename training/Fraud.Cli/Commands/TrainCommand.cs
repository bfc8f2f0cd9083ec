using System.CommandLine;
using System.Diagnostics;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud train</c>: trains a model on a labelled basket file and writes model.json, card.json and report.html.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Features CSV in the challenge layout (labels as a last fraud_flag column, or --labels).", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Labels CSV (ID,fraud_flag) joined on ID." };
        var output = new Option<string>("--output", "-o") { Description = "Folder for model.json, card.json and report.html (created when missing).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, encodings and boosting: same data and seed, same model.", DefaultValueFactory = _ => 1 };
        var parameters = new Option<string[]>("--param") { Description = "Training parameter key=value (repeatable), e.g. --param learning_rate=0.05.", AllowMultipleArgumentsPerToken = false };
        var store = StoreCli.StoreOption();
        var register = new Option<bool>("--register") { Description = "Register the model in the registry of --store (the first model registered becomes champion)." };

        var command = new Command("train", "Train the fraud model: gradient-boosted trees with calibration, thresholds, explanations, card and HTML report.");
        command.Options.Add(data);
        command.Options.Add(labels);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.Options.Add(parameters);
        command.Options.Add(store);
        command.Options.Add(register);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var request = new TrainRequest(
                CliOptions.ExistingFile(parseResult.GetValue(data), "--data"),
                parseResult.GetValue(labels) is { } l ? CliOptions.ExistingFile(l, "--labels") : null,
                CliOptions.OutputDirectory(parseResult.GetValue(output), "--output"),
                BuildOptions(parseResult.GetValue(seed), parseResult.GetValue(parameters) ?? []));
            // Every training is a tracked run in the store; --register also registers the model.
            var recording = await TrainRecording.StartAsync(parseResult.GetValue(store), parseResult.GetValue(register), request.Options.ToParameters(), CliConsole.WriteLine, cancellationToken);
            TrainOutcome outcome;
            try
            {
                outcome = Run(request, CliConsole.WriteLine, cancellationToken);
            }
            catch (Exception ex)
            {
                await recording.FailAsync(ex);
                throw;
            }

            Summarise(outcome, CliConsole.WriteLine);
            await recording.CompleteAsync(outcome, request.DataPath, cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>Applies <c>--seed</c> then every <c>--param key=value</c>; a bad one is a one-line CLI error.</summary>
    public static TrainingOptions BuildOptions(int seed, IEnumerable<string> parameters)
    {
        var options = new TrainingOptions { Seed = seed };
        foreach (var parameter in parameters)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--param expects key=value, got '{parameter}'.");
            }

            try
            {
                options = options.WithParameter(parameter[..equals], parameter[(equals + 1)..]);
            }
            catch (ArgumentException ex)
            {
                throw new CliException($"--param {ex.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        return options;
    }

    /// <summary>
    /// The whole of <c>fraud train</c>'s work: read and join the data, train, write the three files. Kept in one method
    /// so that registering the model and tracking the run are one call added after it.
    /// </summary>
    public static TrainOutcome Run(TrainRequest request, Action<string> log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var dataset = BasketCsv.ReadLabelled(request.DataPath, request.LabelsPath);

        if (!dataset.Join.IsComplete)
        {
            log($"warning: {dataset.Join}");
        }

        log(CliConsole.Invariant($"read {dataset.Baskets.Count:N0} labelled baskets ({Percent.Format(dataset.FraudRate)} fraud) in {clock.Elapsed.TotalSeconds:F1} s"));
        TrainingResult result;
        try
        {
            var lastStage = string.Empty;
            result = ModelTrainer.Train(dataset.Baskets, dataset.Labels, request.Options, p =>
            {
                // One line per stage; boosting rounds would flood a log.
                if (p.Stage != lastStage)
                {
                    lastStage = p.Stage;
                    log(CliConsole.Invariant($"{clock.Elapsed.TotalSeconds,6:F1} s  {p.Stage}: {p.Detail}"));
                }
            }, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"cannot train: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        var paths = ModelFolder.Write(request.OutputDirectory, result);
        clock.Stop();
        return new TrainOutcome(result, paths, clock.Elapsed);
    }

    public static void Summarise(TrainOutcome outcome, Action<string> log)
    {
        var card = outcome.Result.Card;
        var m = card.Metrics;
        log(CliConsole.Invariant($"model {card.ModelId}: {card.TreeCount} trees, {card.FeatureCount} features, trained in {outcome.Elapsed.TotalSeconds:F1} s"));
        log(CliConsole.Invariant($"held-out test ({card.TestRows} baskets): PR-AUC {m.PrAuc:F4} (baseline {card.BaselineMetrics.PrAuc:F4}), ROC-AUC {m.RocAuc:F4}, log-loss {m.LogLoss:F4}"));
        foreach (var t in m.Thresholds)
        {
            log(CliConsole.Invariant($"  {t.Name,-8} at p ≥ {t.Threshold:F4}: precision {t.Precision:F3}, recall {t.Recall:F3}, F1 {t.F1:F3}, flags {t.FlaggedShare:P2}"));
        }

        foreach (var warning in card.ThresholdWarnings)
        {
            log($"warning: {warning}");
        }

        log($"wrote {outcome.Paths.Model}, {outcome.Paths.Card}, {outcome.Paths.Report}");
    }
}

/// <summary>What <c>fraud train</c> was asked to do.</summary>
internal sealed record TrainRequest(string DataPath, string? LabelsPath, string OutputDirectory, TrainingOptions Options);

/// <summary>What <c>fraud train</c> produced.</summary>
internal sealed record TrainOutcome(TrainingResult Result, ModelFolderPaths Paths, TimeSpan Elapsed);

internal sealed record ModelFolderPaths(string Model, string Card, string Report);

/// <summary>The model folder layout shared by train, score, evaluate and explain: model.json, card.json, report.html.</summary>
internal static class ModelFolder
{
    public const string ModelFile = "model.json";
    public const string CardFile = "card.json";
    public const string ReportFile = "report.html";

    public static ModelFolderPaths Write(string directory, TrainingResult result)
    {
        var paths = new ModelFolderPaths(Path.Combine(directory, ModelFile), Path.Combine(directory, CardFile), Path.Combine(directory, ReportFile));
        try
        {
            File.WriteAllBytes(paths.Model, result.Model.ToJsonBytes());
            File.WriteAllBytes(paths.Card, result.Card.ToJsonBytes());
            File.WriteAllText(paths.Report, result.ReportHtml);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the model to {directory}: {ex.Message}");
        }

        return paths;
    }

    /// <summary>Loads the model from a model folder (or a model.json path); a missing or unusable file is a one-line CLI error.</summary>
    public static FraudModel Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliException("--model is required.");
        }

        var file = Directory.Exists(path) ? Path.Combine(path, ModelFile) : path;
        if (!File.Exists(file))
        {
            throw new CliException($"--model: no {ModelFile} at {path}");
        }

        try
        {
            using var stream = File.OpenRead(file);
            return FraudModel.Load(stream);
        }
        catch (ModelFormatException ex)
        {
            throw new CliException($"--model: {file}: {ex.Message}");
        }
    }
}
