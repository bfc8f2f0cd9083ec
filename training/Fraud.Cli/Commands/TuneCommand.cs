using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Learning;
using Fraud.Model;
using Fraud.Registry;
using Spectre.Console;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud tune</c>: seeded hyperparameter search. A stratified hold-out part of the data is set aside first; every
/// trial trains on the rest (the trainer splits that again for early stopping, calibration and its own test) and is
/// judged on the hold-out PR-AUC, so trials are compared on baskets none of them has seen. Each trial is a tracked
/// run (parameters, learning curve, PR curve); <c>--register</c> registers the best model.
/// </summary>
internal static class TuneCommand
{
    private const double HalvingFactor = 3;

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Features CSV (labels as a last fraud_flag column, or --labels).", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Labels CSV (ID,fraud_flag)." };
        var trials = new Option<int>("--trials") { Description = "Configurations to try.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the hold-out split, the sampled configurations and training.", DefaultValueFactory = _ => 1 };
        var strategy = new Option<string>("--strategy") { Description = "random (every trial at the full round budget) or halving (successive halving: many short trials, the best third continue with 3x the rounds).", DefaultValueFactory = _ => "random" };
        strategy.AcceptOnlyFromAmong("random", "halving");
        var holdout = new Option<double>("--holdout") { Description = "Share of baskets held out to judge trials.", DefaultValueFactory = _ => 0.2 };
        var parameters = new Option<string[]>("--param") { Description = "Fixed training parameter key=value (repeatable), e.g. --param num_rounds=200." };
        var register = new Option<bool>("--register") { Description = "Register the best trial's model in the registry." };
        var modelName = new Option<string>("--model-name") { Description = "Registry model name.", DefaultValueFactory = _ => ModelRegistry.DefaultModelName };
        var store = StoreCli.StoreOption();

        var command = new Command("tune", "Hyperparameter search (random or successive halving), each trial a tracked run; --register registers the best.");
        foreach (var option in new Option[] { data, labels, trials, seed, strategy, holdout, parameters, register, modelName, store })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var request = new TuneRequest(
                CliOptions.ExistingFile(parse.GetValue(data), "--data"),
                parse.GetValue(labels) is { } l ? CliOptions.ExistingFile(l, "--labels") : null,
                parse.GetValue(trials),
                parse.GetValue(seed),
                parse.GetValue(strategy)!,
                parse.GetValue(holdout),
                TrainCommand.BuildOptions(parse.GetValue(seed), parse.GetValue(parameters) ?? []),
                parse.GetValue(register));
            if (request.Trials is < 1 or > 500)
            {
                throw new CliException("--trials must be between 1 and 500.");
            }

            if (request.Holdout is < 0.05 or > 0.5)
            {
                throw new CliException("--holdout must be between 0.05 and 0.5.");
            }

            var storeInstance = StoreCli.OpenStore(parse.GetValue(store));
            var registry = request.Register ? StoreCli.OpenRegistry(parse, store, modelName) : null;
            await RunAsync(request, new RunTracker(storeInstance), registry, ct);
        }));
        return command;
    }

    private static async Task RunAsync(TuneRequest request, RunTracker tracker, ModelRegistry? registry, CancellationToken ct)
    {
        var log = CliConsole.WriteLine;
        var clock = Stopwatch.StartNew();
        var dataset = BasketCsv.ReadLabelled(request.DataPath, request.LabelsPath);

        var (trainRows, holdoutRows) = StratifiedHoldout(dataset.Labels, request.Holdout, request.Seed);
        var trainBaskets = trainRows.Select(i => dataset.Baskets[i]).ToList();
        var trainLabels = trainRows.Select(i => dataset.Labels[i]).ToList();
        var holdoutBaskets = holdoutRows.Select(i => dataset.Baskets[i]).ToList();
        var holdoutLabels = holdoutRows.Select(i => dataset.Labels[i]).ToArray();
        if (holdoutLabels.Count(x => x) < 2)
        {
            throw new CliException("the hold-out part has fewer than 2 fraudulent baskets: give more data or a larger --holdout.");
        }

        log(CliConsole.Invariant($"read {dataset.Baskets.Count:N0} baskets ({Percent.Format(dataset.FraudRate)} fraud); tuning on {trainRows.Length:N0}, judging on {holdoutRows.Length:N0} held out"));

        var tune = await tracker.StartRunAsync("tune", new Dictionary<string, string>
        {
            ["strategy"] = request.Strategy,
            ["trials"] = request.Trials.ToString(CultureInfo.InvariantCulture),
            ["seed"] = request.Seed.ToString(CultureInfo.InvariantCulture),
            ["holdout"] = request.Holdout.ToString(CultureInfo.InvariantCulture),
        }, ct: ct);
        tune.SetDataset(DataFingerprint.Compute(dataset.Baskets, dataset.Labels), dataset.Baskets.Count, dataset.FraudRate, Path.GetFileName(request.DataPath));

        var random = new Random(request.Seed);
        var configs = Enumerable.Range(0, request.Trials).Select(_ => SearchSpace.Sample(random)).ToList();
        var context = new TrialContext(tracker, tune.RunId, trainBaskets, trainLabels, holdoutBaskets, holdoutLabels, request.BaseOptions, log, ct);
        var (outcomes, best) = request.Strategy == "halving" ? await HalvingAsync(context, configs) : await RandomAsync(context, configs);
        for (var i = 0; i < outcomes.Count; i++)
        {
            tune.LogMetric("trial_holdout_pr_auc", outcomes[i].HoldoutPrAuc, i + 1);
        }

        if (best is null)
        {
            await tune.FailAsync("every trial failed", ct);
            throw new CliException("every trial failed; see `fraud runs list --kind tune-trial`.");
        }

        tune.LogMetric("best_holdout_pr_auc", best.HoldoutPrAuc);
        tune.SetTag("best_trial", best.RunId);
        tune.LogParameters(best.Parameters.Select(p => KeyValuePair.Create("best." + p.Key, p.Value)));
        PrintTable(outcomes);
        log(CliConsole.Invariant($"best trial {best.RunId}: hold-out PR-AUC {best.HoldoutPrAuc:F4} ({SearchSpace.Describe(best.Parameters)})"));

        if (registry is not null)
        {
            var version = await registry.RegisterAsync(best.Result!, new RegistrationInfo(RunId: best.RunId, Source: "fraud tune", Description: $"best of {outcomes.Count} trials ({request.Strategy})", SkipIdentical: true), ct);
            best.Run.SetRegisteredVersion(version.Version);
            await best.Run.CompleteAsync(ct: ct);
            tune.SetRegisteredVersion(version.Version);
            var champion = await registry.GetAliasAsync(ModelAliases.Champion, ct);
            log(version.AlreadyRegistered
                ? $"not registered again: the best trial's model is identical to {registry.ModelName} version {version.Version} (model id {version.ModelId}); no new version created"
                : $"registered {registry.ModelName} version {version.Version}{(champion?.Version == version.Version ? " (champion: first model registered)" : string.Empty)}");
        }

        tune.LogTiming("total", clock.Elapsed);
        await tune.CompleteAsync(ct: ct);
        log($"tuning run {tune.RunId}; {CliConsole.CostLine(clock.Elapsed)}");
    }

    private static async Task<(List<TrialOutcome> Outcomes, TrialOutcome? Best)> RandomAsync(TrialContext context, List<Dictionary<string, string>> configs)
    {
        var outcomes = new List<TrialOutcome>();
        TrialOutcome? best = null;
        for (var i = 0; i < configs.Count; i++)
        {
            var outcome = await TrialAsync(context, configs[i], i + 1, rung: null);
            best = Better(best, outcome);
            outcomes.Add(outcome with { Result = null });
        }

        return (outcomes, best);
    }

    // Successive halving (Jamieson & Talwalkar 2016): every configuration gets a small round budget; the best third
    // goes on with three times the rounds, until one is left or the full budget is reached.
    private static async Task<(List<TrialOutcome> Outcomes, TrialOutcome? Best)> HalvingAsync(TrialContext context, List<Dictionary<string, string>> configs)
    {
        var fullRounds = context.BaseOptions.Gbdt.NumRounds;
        var rungs = Math.Max(1, (int)Math.Floor(Math.Log(Math.Max(configs.Count, 1)) / Math.Log(HalvingFactor)) + 1);
        var rounds = Math.Max(10, (int)(fullRounds / Math.Pow(HalvingFactor, rungs - 1)));
        var alive = configs.Select((c, i) => (Config: c, Index: i + 1)).ToList();
        var outcomes = new List<TrialOutcome>();
        TrialOutcome? best = null;
        for (var rung = 1; alive.Count > 0; rung++)
        {
            var budget = Math.Min(rounds, fullRounds);
            var results = new List<(TrialOutcome Outcome, (Dictionary<string, string> Config, int Index) Entry)>();
            foreach (var entry in alive)
            {
                var config = new Dictionary<string, string>(entry.Config) { ["num_rounds"] = budget.ToString(CultureInfo.InvariantCulture) };
                var outcome = await TrialAsync(context, config, entry.Index, rung);
                // Later rungs train longer, so a later rung's model replaces an earlier best only by scoring at least as well.
                best = Better(best, outcome);
                outcomes.Add(outcome with { Result = null });
                results.Add((outcome with { Result = null }, entry));
            }

            if (budget >= fullRounds || alive.Count == 1)
            {
                break;
            }

            var keep = Math.Max(1, (int)Math.Ceiling(alive.Count / HalvingFactor));
            alive = [.. results.Where(r => r.Outcome.Succeeded).OrderByDescending(r => r.Outcome.HoldoutPrAuc).Take(keep).Select(r => r.Entry)];
            rounds = (int)(rounds * HalvingFactor);
        }

        return (outcomes, best);
    }

    // Only the best model is kept in memory; every other trial's model lives on as its tracked run's artifacts.
    private static TrialOutcome? Better(TrialOutcome? best, TrialOutcome candidate) =>
        candidate.Succeeded && (best is null || candidate.HoldoutPrAuc >= best.HoldoutPrAuc) ? candidate : best;

    private static async Task<TrialOutcome> TrialAsync(TrialContext context, Dictionary<string, string> config, int index, int? rung)
    {
        var options = context.BaseOptions;
        foreach (var (key, value) in config)
        {
            options = options.WithParameter(key, value);
        }

        var run = await context.Tracker.StartRunAsync("tune-trial", options.ToParameters(), context.ParentRunId, context.Ct);
        run.SetTag("trial", index.ToString(CultureInfo.InvariantCulture));
        if (rung is { } r)
        {
            run.SetTag("rung", r.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            TrainingResult result;
            using (run.Time("train"))
            {
                result = ModelTrainer.Train(context.TrainBaskets, context.TrainLabels, options, cancellationToken: context.Ct);
            }

            var probabilities = new double[context.HoldoutBaskets.Count];
            using (run.Time("score_holdout"))
            {
                result.Model.ScoreMany(context.HoldoutBaskets, probabilities);
            }

            var prAuc = Metrics.AveragePrecision(probabilities, context.HoldoutLabels);
            run.LogMetric("holdout_pr_auc", prAuc);
            run.LogMetric("holdout_roc_auc", Metrics.RocAuc(probabilities, context.HoldoutLabels));
            run.LogMetric("holdout_log_loss", Metrics.LogLoss(probabilities, context.HoldoutLabels));
            await run.RecordResultAsync(result, TrainingTracking.PrCurveOf(probabilities, context.HoldoutLabels), context.Ct);
            await run.CompleteAsync(ct: context.Ct);
            context.Log(CliConsole.Invariant($"trial {index}{(rung is { } g ? $" (rung {g})" : string.Empty)}: hold-out PR-AUC {prAuc:F4}  {SearchSpace.Describe(config)}  [{run.RunId}]"));
            return new TrialOutcome(index, rung, run.RunId, run, config, prAuc, result);
        }
        catch (ArgumentException ex)
        {
            var message = ex.Message.Split(" (Parameter", 2)[0];
            await run.FailAsync(message, context.Ct);
            context.Log($"trial {index}: failed: {message}");
            return new TrialOutcome(index, rung, run.RunId, run, config, double.NaN, null);
        }
    }

    private static void PrintTable(List<TrialOutcome> outcomes)
    {
        var table = new Table().Title("trials by hold-out PR-AUC");
        table.AddColumns("trial", "rung", "hold-out PR-AUC", "parameters", "run");
        foreach (var o in outcomes.OrderByDescending(o => double.IsNaN(o.HoldoutPrAuc) ? double.MinValue : o.HoldoutPrAuc))
        {
            table.AddRow(
                o.Index.ToString(CultureInfo.InvariantCulture),
                o.Rung?.ToString(CultureInfo.InvariantCulture) ?? "–",
                RunComparison.F(o.HoldoutPrAuc),
                Markup.Escape(SearchSpace.Describe(o.Parameters)),
                o.RunId);
        }

        StoreCli.Write(table);
    }

    /// <summary>Seeded stratified split: the same share of frauds and non-frauds goes to the hold-out part.</summary>
    internal static (int[] Train, int[] Holdout) StratifiedHoldout(bool[] labels, double share, int seed)
    {
        var random = new Random(seed);
        var train = new List<int>();
        var holdout = new List<int>();
        foreach (var cls in new[] { true, false })
        {
            var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == cls).ToArray();
            random.Shuffle(rows);
            var take = (int)Math.Round(rows.Length * share);
            holdout.AddRange(rows.Take(take));
            train.AddRange(rows.Skip(take));
        }

        train.Sort();
        holdout.Sort();
        return ([.. train], [.. holdout]);
    }

    private sealed record TuneRequest(string DataPath, string? LabelsPath, int Trials, int Seed, string Strategy, double Holdout, TrainingOptions BaseOptions, bool Register);

    private sealed record TrialContext(
        RunTracker Tracker,
        string ParentRunId,
        IReadOnlyList<Basket> TrainBaskets,
        IReadOnlyList<bool> TrainLabels,
        IReadOnlyList<Basket> HoldoutBaskets,
        bool[] HoldoutLabels,
        TrainingOptions BaseOptions,
        Action<string> Log,
        CancellationToken Ct);

    private sealed record TrialOutcome(
        int Index, int? Rung, string RunId, TrackedRun Run, Dictionary<string, string> Parameters, double HoldoutPrAuc, TrainingResult? Result)
    {
        public bool Succeeded => !double.IsNaN(HoldoutPrAuc);
    }
}

/// <summary>
/// The hyperparameters searched and their ranges (log-uniform where the effect is multiplicative). They bracket the
/// defaults that the bench sweeps chose (7 leaves, depth 4, 200 rows per leaf, L2 30, half the features; see
/// docs/model.md): with ~1.4 % fraud, small heavily-regularised trees won every comparison, so the search spends its
/// trials around them rather than on the 31–63-leaf trees of balanced problems.
/// </summary>
internal static class SearchSpace
{
    private static readonly int[] Leaves = [5, 7, 10, 15];

    public static Dictionary<string, string> Sample(Random random) => new(StringComparer.Ordinal)
    {
        ["learning_rate"] = Text(LogUniform(random, 0.02, 0.1)),
        ["num_leaves"] = Text(Leaves[random.Next(Leaves.Length)]),
        ["max_depth"] = Text(random.Next(3, 7)),
        ["min_data_in_leaf"] = Text(random.Next(100, 401)),
        ["l2"] = Text(LogUniform(random, 3, 100)),
        ["feature_fraction"] = Text(Math.Round(0.35 + (random.NextDouble() * 0.45), 2)),
        ["bagging_fraction"] = Text(Math.Round(0.6 + (random.NextDouble() * 0.4), 2)),
    };

    public static string Describe(IReadOnlyDictionary<string, string> parameters) =>
        string.Join(" ", parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static double LogUniform(Random random, double min, double max) =>
        Math.Round(Math.Exp(Math.Log(min) + (random.NextDouble() * (Math.Log(max) - Math.Log(min)))), 4);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
