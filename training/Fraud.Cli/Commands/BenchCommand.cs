using System.CommandLine;
using System.Diagnostics;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Learning;
using Fraud.Model;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud bench</c>: the model's figures on generated data. Trains end to end on one seed, tests on another, and
/// prints PR-AUC against the oracle and the baseline, training time, batch throughput and single-basket and
/// explanation latency, each beside its target. Figures are printed here, never asserted in tests.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var work = new Option<string?>("--work") { Description = "Folder for the generated data and model (default: a temporary folder, deleted afterwards)." };
        var trainRows = new Option<int>("--train-rows") { Description = "Training baskets (seed 1, or --train-seed).", DefaultValueFactory = _ => 92_790 };
        var testRows = new Option<int>("--test-rows") { Description = "Test baskets (seed 2).", DefaultValueFactory = _ => 100_000 };
        var parameters = new Option<string[]>("--param") { Description = "Training parameter key=value (repeatable), as for fraud train." };
        var mechanism = new Option<string>("--mechanism") { Description = $"Fraud mechanism to train and test on ({string.Join(", ", FraudMechanisms.All.Select(FraudMechanisms.Name))}), or 'all' for a table of every one.", DefaultValueFactory = _ => "retail" };
        var curve = new Option<bool>("--curve") { Description = "Learning curve: train on 25, 50, 100 and 200 % of --train-rows, same test set; print the ratio to the oracle." };
        var compare = new Option<bool>("--compare") { Description = "Every learner (gbdt, fasttree, lightgbm) side by side on the same features and splits: PR-AUC, ratio, training time, size, scoring and explanation speed." };
        var seeds = new Option<string>("--seeds") { Description = "Split seeds of the tables (comma-separated); --compare defaults to 1,2,3.", DefaultValueFactory = _ => string.Empty };
        var trainSeed = new Option<int>("--train-seed") { Description = "Generator seed of the training rows (the test rows keep seed 2): another sample of the same size, to tell a pipeline effect from the luck of one training sample.", DefaultValueFactory = _ => 1 };
        var learners = new Option<string>("--learners") { Description = "Learners for --compare (comma-separated).", DefaultValueFactory = _ => string.Join(",", TreeLearners.Known) };

        var command = new Command("bench", "Benchmark the model on generated data: PR-AUC vs oracle and baseline, training time, scoring throughput and latency.");
        command.Options.Add(work);
        command.Options.Add(trainRows);
        command.Options.Add(testRows);
        command.Options.Add(parameters);
        command.Options.Add(mechanism);
        command.Options.Add(curve);
        command.Options.Add(compare);
        command.Options.Add(seeds);
        command.Options.Add(learners);
        command.Options.Add(trainSeed);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var nTrain = parseResult.GetValue(trainRows);
            var nTest = parseResult.GetValue(testRows);
            if (nTrain < 1000 || nTest < 1000)
            {
                throw new CliException("--train-rows and --test-rows must be at least 1000.");
            }

            var options = TrainCommand.BuildOptions(1, parseResult.GetValue(parameters) ?? []);
            var trainingSeed = parseResult.GetValue(trainSeed);
            if (trainingSeed == 2)
            {
                throw new CliException("--train-seed 2 is the test rows' seed, so training and test baskets would be the same; choose another.");
            }
            var mechanismName = parseResult.GetValue(mechanism);
            var all = string.Equals(mechanismName?.Trim(), "all", StringComparison.OrdinalIgnoreCase);
            IReadOnlyList<FraudMechanismKind> mechanisms = all ? FraudMechanisms.All : [GenerateCommand.ParseMechanism(mechanismName)];
            var isCompare = parseResult.GetValue(compare);
            var splitSeeds = ParseSeeds(parseResult.GetValue(seeds), isCompare ? [1, 2, 3] : [options.Seed]);
            if (isCompare)
            {
                var names = ParseLearners(parseResult.GetValue(learners));
                BenchStudies.Compare(mechanisms, names, nTrain, nTest, trainingSeed, splitSeeds, options, cancellationToken);
                return Task.FromResult(0);
            }

            if (parseResult.GetValue(curve))
            {
                BenchStudies.Curve(mechanisms, nTrain, nTest, trainingSeed, splitSeeds, options, cancellationToken);
                return Task.FromResult(0);
            }

            if (all || mechanisms[0] != FraudMechanismKind.Retail || splitSeeds.Length > 1 || trainingSeed != 1)
            {
                BenchStudies.Mechanisms(mechanisms, nTrain, nTest, trainingSeed, splitSeeds, options, cancellationToken);
                return Task.FromResult(0);
            }

            var given = parseResult.GetValue(work);
            var folder = given is null ? Path.Combine(Path.GetTempPath(), $"fraud-bench-{Guid.NewGuid():N}") : CliOptions.OutputDirectory(given, "--work");
            try
            {
                // One split seed: the classic report, trained with that seed (--seeds 2 alone once ran split seed 1).
                Run(folder, nTrain, nTest, options with { Seed = splitSeeds[0] }, cancellationToken);
            }
            finally
            {
                if (given is null && Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static void Run(string folder, int nTrain, int nTest, TrainingOptions options, CancellationToken cancellationToken)
    {
        var log = CliConsole.WriteLine;
        log(CliConsole.Invariant($"fraud bench on {Environment.ProcessorCount} cores (load average {LoadAverage()}); data in {folder}"));
        var trainData = SyntheticBaskets.WriteDataset(Path.Combine(folder, "train"), new GeneratorOptions { Rows = nTrain, Seed = 1 }, cancellationToken: cancellationToken);
        var testData = SyntheticBaskets.WriteDataset(Path.Combine(folder, "test"), new GeneratorOptions { Rows = nTest, Seed = 2 }, cancellationToken: cancellationToken);
        log(CliConsole.Invariant($"generated train {trainData.Rows:N0} rows seed 1 ({Percent.Format(trainData.FraudRate)} fraud), test {testData.Rows:N0} rows seed 2 ({Percent.Format(testData.FraudRate)} fraud)"));

        // End to end, as `fraud train` does it: read, featurize, boost with early stopping, calibrate, evaluate, write.
        var request = new TrainRequest(trainData.FeaturesPath, trainData.LabelsPath, Path.Combine(folder, "model"), options);
        Directory.CreateDirectory(request.OutputDirectory);
        var outcome = TrainCommand.Run(request, _ => { }, cancellationToken);
        var card = outcome.Result.Card;
        var model = outcome.Result.Model;

        var test = BasketCsv.ReadLabelled(testData.FeaturesPath, testData.LabelsPath);
        var probabilities = new double[test.Baskets.Count];
        model.ScoreMany(test.Baskets, probabilities, threads: 0);
        var prAuc = Metrics.AveragePrecision(probabilities, test.Labels);
        var baselinePrAuc = Metrics.AveragePrecision(outcome.Result.Baseline.PredictProbabilities(test.Baskets), test.Labels);
        var oracle = testData.OracleAveragePrecision;

        var throughput = BatchThroughput(model, test.Baskets);
        var (p50, p99) = SingleLatency(model, test.Baskets);
        var (e50, e99, eMean) = ExplainLatency(model, test.Baskets);
        var (perMember, onePass, tableBytes, evicted) = ShapComparison(model, test.Baskets);
        var (walked, flat) = TreeComparison(model, test.Baskets);
        var (uncached, cached) = FeaturizerComparison(model, test.Baskets);
        var lines = test.Baskets.Take(2_000).SelectMany(b => b.Items).ToList();
        var distinctLines = lines.Select(i => (i.Item, i.Make, i.Model, i.GoodsCode, i.Quantity)).Distinct().Count();

        log(CliConsole.Invariant($"model {card.ModelId}: {card.TreeCount} trees (early stopping), {card.FeatureCount} features"));
        log(CliConsole.Invariant($"PR-AUC on test   : model {prAuc:F4}  oracle {oracle:F4}  ratio {prAuc / oracle:F3} (target ≥ 0.900) {Verdict(prAuc >= 0.9 * oracle)}"));
        log(CliConsole.Invariant($"                   baseline (logistic regression) {baselinePrAuc:F4}"));
        log(CliConsole.Invariant($"training, end to end (read → write) : {outcome.Elapsed.TotalSeconds:F1} s (target ≤ 30 s) {Verdict(outcome.Elapsed.TotalSeconds <= 30)}"));
        log(CliConsole.Invariant($"batch scoring (featurize + predict)  : {throughput:N0} baskets/s on {Environment.ProcessorCount} cores (target ≥ 100,000) {Verdict(throughput >= 100_000)}"));
        log(CliConsole.Invariant($"single basket, in-process           : p50 {p50:F1} µs, p99 {p99:F1} µs (target p99 ≤ 50 µs) {Verdict(p99 <= 50)}"));
        log(CliConsole.Invariant($"explanation (score + reasons)       : p50 {e50:F0} µs, mean {eMean:F0} µs, p99 {e99:F0} µs (target ≤ 1,000 µs) {Verdict(e99 <= 1000)}"));
        log(CliConsole.Invariant($"TreeSHAP + raw score, same rows      : members one by one {perMember:F1} µs, all members in one pass {onePass:F1} µs ({perMember / onePass:F1} x, its tables {tableBytes / 1048576.0:F1} MB; target ≤ 30 µs per basket) {Verdict(onePass <= 30)}"));
        log(CliConsole.Invariant($"TreeSHAP, tables evicted each basket : all members in one pass {evicted:F1} µs ({evicted / onePass:F1} x the warm pass; {EvictionBytes >> 20} MB of other memory written before each basket, as a handler's request does)"));
        log(CliConsole.Invariant($"raw score of featurized rows         : members' trees walked one by one {walked:F1} µs, flat split-word layout {flat:F1} µs ({walked / flat:F1} x)"));
        log(CliConsole.Invariant($"featurize every member, same baskets : lines described afresh {uncached:F1} µs, line cache {cached:F1} µs ({uncached / cached:F1} x; {distinctLines:N0} distinct of {lines.Count:N0} lines)"));
        log(CliConsole.Invariant($"load average at the end: {LoadAverage()} (latency percentiles include time other processes held the cores)"));
    }

    private static int[] ParseSeeds(string? text, int[] fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out seeds[i]))
            {
                throw new CliException($"--seeds takes whole numbers separated by commas, not '{text}'.");
            }
        }

        return seeds;
    }

    private static string[] ParseLearners(string? text)
    {
        var names = (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray();
        var unknown = names.FirstOrDefault(n => !TreeLearners.Known.Contains(n));
        if (names.Length == 0 || unknown is not null)
        {
            throw new CliException($"--learners takes names from {string.Join(", ", TreeLearners.Known)}, not '{text}'.");
        }

        return names;
    }

    internal static string Verdict(bool met) => met ? "[met]" : "[MISSED]";

    /// <summary>Batch scoring rate, baskets per second: the best of three timed runs after one warm-up.</summary>
    internal static double BatchThroughput(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var output = new double[baskets.Count];
        model.ScoreMany(baskets, output, threads: 0);
        var best = double.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            model.ScoreMany(baskets, output, threads: 0);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return baskets.Count / best;
    }

    private static (double P50, double P99) SingleLatency(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var n = Math.Min(20_000, baskets.Count);
        var sink = 0.0;
        for (var i = 0; i < n; i++)
        {
            sink += model.PredictProbability(baskets[i]);
        }

        var samples = new double[n];
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            sink += model.Score(baskets[i], explain: false).FraudProbability;
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        GC.KeepAlive(sink);
        return Percentiles(samples);
    }

    private static (double P50, double P99, double Mean) ExplainLatency(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var n = Math.Min(5_000, baskets.Count);
        // Enough warm-up for tiered JIT to reach the optimised code of every reason's wording.
        for (var i = 0; i < 3_000; i++)
        {
            model.Score(baskets[i % baskets.Count]);
        }

        var samples = new double[n];
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            model.Score(baskets[i], explain: true, maxReasons: 5);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        var mean = samples.Average();
        var (p50, p99) = Percentiles(samples);
        return (p50, p99, mean);
    }

    /// <summary>Every member's features of the first (at most) 2,000 baskets, one row of all members per basket.</summary>
    private static float[][] MemberRows(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var members = model.Members;
        var width = model.FeatureCount;
        var rows = new float[Math.Min(2_000, baskets.Count)][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new float[members.Count * width];
            for (var m = 0; m < members.Count; m++)
            {
                members[m].Featurizer.Featurize(baskets[i], rows[i].AsSpan(m * width, width));
            }
        }

        return rows;
    }

    /// <summary>
    /// The TreeSHAP values and raw score of the same featurized baskets two ways, alternating in one run, best of
    /// five rounds each (µs per basket): every member's <see cref="TreeShap"/> and <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>
    /// one by one (the path before <see cref="EnsembleShap"/>), and <see cref="EnsembleShap"/>'s single pass; then the
    /// single pass again with <see cref="EvictionBytes"/> of other memory written before each basket (only the pass
    /// timed), as a handler's request (Kestrel, JSON, the log, fresh allocations) evicts the tables between two
    /// explanations: the pass is bound by those misses there, not by its arithmetic (docs/performance.md, sixth round).
    /// </summary>
    internal static (double PerMember, double OnePass, long TableBytes, double Evicted) ShapComparison(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var members = model.Members;
        var width = model.FeatureCount;
        var rows = MemberRows(model, baskets);
        var n = rows.Length;

        var shap = EnsembleShap.TryBuild([.. members.Select(m => m.Trees)]);
        if (shap is null)
        {
            return (double.NaN, double.NaN, 0, double.NaN);
        }

        var phi = new double[width];
        var sink = 0.0;
        double perMember = double.MaxValue, onePass = double.MaxValue;
        for (var round = 0; round < 6; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                for (var m = 0; m < members.Count; m++)
                {
                    var row = rows[i].AsSpan(m * width, width);
                    sink += TreeShap.Explain(members[m].Trees, row, phi) + members[m].Trees.PredictRaw(row);
                }
            }

            // Round 0 warms both up.
            perMember = round == 0 ? perMember : Math.Min(perMember, clock.Elapsed.TotalMicroseconds / n);
            clock.Restart();
            for (var i = 0; i < n; i++)
            {
                sink += shap.Explain(rows[i], phi);
            }

            onePass = round == 0 ? onePass : Math.Min(onePass, clock.Elapsed.TotalMicroseconds / n);
        }

        var other = new byte[EvictionBytes];
        var evicted = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var ticks = 0L;
            for (var i = 0; i < n; i++)
            {
                for (var b = 0; b < other.Length; b += 64)
                {
                    other[b]++;
                }

                var start = Stopwatch.GetTimestamp();
                sink += shap.Explain(rows[i], phi);
                ticks += Stopwatch.GetTimestamp() - start;
            }

            evicted = Math.Min(evicted, ticks * 1e6 / Stopwatch.Frequency / n);
        }

        GC.KeepAlive(sink);
        GC.KeepAlive(other);
        return (perMember, onePass, shap.Bytes, evicted);
    }

    /// <summary>Other memory written between two explanations in the evicted-tables timing: twice a core's 2 MB L2 here.</summary>
    internal const int EvictionBytes = 4 << 20;

    /// <summary>
    /// The raw score of the same featurized baskets two ways, alternating in one run, best of five rounds each (µs per
    /// basket): every member's <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/> (the tree walk) averaged, and
    /// <see cref="SplitWordEnsemble"/>'s flat layout of all members (what <see cref="FraudModel.PredictRaw"/> uses).
    /// </summary>
    internal static (double Walked, double Flat) TreeComparison(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var members = model.Members;
        var width = model.FeatureCount;
        var rows = MemberRows(model, baskets);
        var n = rows.Length;

        var flat = SplitWordEnsemble.TryBuild([.. members.Select(m => m.Trees)]);
        if (flat is null)
        {
            return (double.NaN, double.NaN);
        }

        var sink = 0.0;
        double walked = double.MaxValue, flatTime = double.MaxValue;
        for (var round = 0; round < 6; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                var sum = 0.0;
                for (var m = 0; m < members.Count; m++)
                {
                    sum += members[m].Trees.PredictRaw(rows[i].AsSpan(m * width, width));
                }

                sink += sum / members.Count;
            }

            // Round 0 warms both up.
            walked = round == 0 ? walked : Math.Min(walked, clock.Elapsed.TotalMicroseconds / n);
            clock.Restart();
            for (var i = 0; i < n; i++)
            {
                sink += flat.PredictRaw(rows[i]);
            }

            flatTime = round == 0 ? flatTime : Math.Min(flatTime, clock.Elapsed.TotalMicroseconds / n);
        }

        GC.KeepAlive(sink);
        return (walked, flatTime);
    }

    /// <summary>
    /// Featurizing the same baskets for every member two ways, alternating in one run, best of five rounds each (µs per
    /// basket): every line described afresh (the featurizer training uses), and through the served model's line cache
    /// (filled in round 0, as a handler's is after its first requests).
    /// </summary>
    internal static (double Uncached, double Cached) FeaturizerComparison(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var featurizers = model.Members.Select(m => m.Featurizer).ToArray();
        var fresh = new Fraud.Model.Features.JointFeaturizer(featurizers);
        var cached = new Fraud.Model.Features.JointFeaturizer(featurizers, Fraud.Model.Features.JointFeaturizer.DefaultLineCacheSlots);
        var rows = new float[featurizers.Length * model.FeatureCount];
        var n = Math.Min(2_000, baskets.Count);
        double uncachedTime = double.MaxValue, cachedTime = double.MaxValue;
        for (var round = 0; round < 6; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                fresh.Featurize(baskets[i], rows);
            }

            uncachedTime = round == 0 ? uncachedTime : Math.Min(uncachedTime, clock.Elapsed.TotalMicroseconds / n);
            clock.Restart();
            for (var i = 0; i < n; i++)
            {
                cached.Featurize(baskets[i], rows);
            }

            cachedTime = round == 0 ? cachedTime : Math.Min(cachedTime, clock.Elapsed.TotalMicroseconds / n);
        }

        return (uncachedTime, cachedTime);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static (double P50, double P99) Percentiles(double[] samples)
    {
        Array.Sort(samples);
        return (samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)(samples.Length * 0.99))]);
    }
}
