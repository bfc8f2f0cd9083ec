using System.Diagnostics;
using System.Globalization;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Learning;
using Fraud.Model;

namespace Fraud.Cli.Commands;

/// <summary>
/// The studies behind <c>fraud bench --mechanism all</c>, <c>--curve</c> and <c>--compare</c>: each trains in-process on
/// generated baskets (train seed 1 or <c>--train-seed</c>, test seed 2 of the mechanism, the data fixed) for every split seed asked for, and
/// prints PR-AUC as a ratio to the oracle's PR-AUC on the same test rows. Times are printed beside a reference measured
/// in the same run (the product's learner, or the full training set), since absolute times on shared cores move.
/// </summary>
internal static class BenchStudies
{
    /// <summary>Training set sizes of the learning curve, as shares of the benchmark's 92,790 rows.</summary>
    public static readonly double[] CurveShares = [0.25, 0.5, 1, 2];

    public sealed record TestSet(IReadOnlyList<Basket> Baskets, bool[] Labels, double OraclePrAuc);

    public sealed record Result(double PrAuc, double Ratio, double TrainSeconds, int Trees, long ModelBytes, double BasketsPerSecond, double ExplainMicroseconds);

    /// <summary>
    /// The first <paramref name="rows"/> training baskets of generator seed <paramref name="trainSeed"/> (1 unless
    /// <c>--train-seed</c> asks for another sample of the same generator; the test rows are always seed 2).
    /// </summary>
    public static (List<Basket> Baskets, bool[] Labels) Training(FraudMechanismKind mechanism, int rows, int trainSeed)
    {
        var generated = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = trainSeed, Mechanism = mechanism }).ToList();
        return ([.. generated.Select(g => g.Basket)], [.. generated.Select(g => g.IsFraud)]);
    }

    public static TestSet Test(FraudMechanismKind mechanism, int rows)
    {
        var generated = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = 2, Mechanism = mechanism }).ToList();
        var oracle = new OracleSummary(rows);
        foreach (var g in generated)
        {
            oracle.Add(g.FraudProbability, g.IsFraud);
        }

        return new TestSet([.. generated.Select(g => g.Basket)], [.. generated.Select(g => g.IsFraud)], oracle.AveragePrecision());
    }

    /// <summary>Trains on the first <paramref name="rows"/> training baskets and scores the test set.</summary>
    public static Result Run(List<Basket> baskets, bool[] labels, int rows, TestSet test, TrainingOptions options, bool speed, CancellationToken cancellationToken, bool explain = false)
    {
        var trainBaskets = rows == baskets.Count ? baskets : baskets.GetRange(0, rows);
        var trainLabels = rows == labels.Length ? labels : labels[..rows];
        var clock = Stopwatch.StartNew();
        var result = ModelTrainer.Train(trainBaskets, trainLabels, options, cancellationToken: cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var model = result.Model;
        var probabilities = new double[test.Baskets.Count];
        model.ScoreMany(test.Baskets, probabilities, threads: 0);
        var prAuc = Metrics.AveragePrecision(probabilities, test.Labels);
        double throughput = 0;
        if (speed)
        {
            throughput = BenchCommand.BatchThroughput(model, test.Baskets);
        }

        var explainMicroseconds = speed || explain ? ExplainMean(model, test.Baskets) : 0;

        return new Result(prAuc, prAuc / test.OraclePrAuc, seconds, model.TreeCount, model.ToJsonBytes().Length, throughput, explainMicroseconds);
    }

    /// <summary><c>--mechanism all</c> (or one): the default model trained and tested on each mechanism.</summary>
    public static void Mechanisms(IReadOnlyList<FraudMechanismKind> mechanisms, int nTrain, int nTest, int trainSeed, int[] seeds, TrainingOptions options, CancellationToken cancellationToken)
    {
        var log = CliConsole.WriteLine;
        log(CliConsole.Invariant($"per mechanism: train {nTrain:N0} rows (seed {trainSeed}), test {nTest:N0} rows (seed 2), split seeds {string.Join(",", seeds)}, {Describe(options)}"));
        log("mechanism        | test frauds | oracle PR-AUC | model PR-AUC (min–max)     | ratio (min–max)        | training s | trees | explain µs");
        var ratios = new List<double>();
        foreach (var mechanism in mechanisms)
        {
            var (baskets, labels) = Training(mechanism, nTrain, trainSeed);
            var test = Test(mechanism, nTest);
            var results = seeds.Select(seed => Run(baskets, labels, nTrain, test, options with { Seed = seed }, speed: false, cancellationToken, explain: true)).ToList();
            ratios.Add(results.Average(r => r.Ratio));
            log(CliConsole.Invariant($"{FraudMechanisms.Name(mechanism),-16} | {test.Labels.Count(l => l),11:N0} | {test.OraclePrAuc,13:F4} | {Spread(results.Select(r => r.PrAuc))} | {Spread(results.Select(r => r.Ratio), "F3")} | {results.Average(r => r.TrainSeconds),10:F1} | {results.Average(r => r.Trees),5:F0} | {results.Average(r => r.ExplainMicroseconds),10:F0}"));
        }

        if (ratios.Count > 1)
        {
            var lowest = ratios.Min();
            var highest = ratios.Max();
            log(CliConsole.Invariant($"lowest ratio {lowest:F3} (target ≥ 0.920) {BenchCommand.Verdict(lowest >= 0.92)}; gap to the highest {highest - lowest:F3} (target ≤ 0.030) {BenchCommand.Verdict(highest - lowest <= 0.03)}"));
        }
    }

    /// <summary><c>--curve</c>: 25, 50, 100 and 200 % of the training rows, the same test set.</summary>
    public static void Curve(IReadOnlyList<FraudMechanismKind> mechanisms, int nTrain, int nTest, int trainSeed, int[] seeds, TrainingOptions options, CancellationToken cancellationToken)
    {
        var log = CliConsole.WriteLine;
        log(CliConsole.Invariant($"learning curve: shares of {nTrain:N0} training rows (seed {trainSeed}), test {nTest:N0} rows (seed 2), split seeds {string.Join(",", seeds)}, {Describe(options)}"));
        log("mechanism        | share | train rows | model PR-AUC (min–max)     | ratio (min–max)        | training s");
        foreach (var mechanism in mechanisms)
        {
            var most = (int)Math.Round(nTrain * CurveShares[^1]);
            var (baskets, labels) = Training(mechanism, most, trainSeed);
            var test = Test(mechanism, nTest);
            foreach (var share in CurveShares)
            {
                var rows = (int)Math.Round(nTrain * share);
                var results = seeds.Select(seed => Run(baskets, labels, rows, test, options with { Seed = seed }, speed: false, cancellationToken)).ToList();
                log(CliConsole.Invariant($"{FraudMechanisms.Name(mechanism),-16} | {share,5:P0} | {rows,10:N0} | {Spread(results.Select(r => r.PrAuc))} | {Spread(results.Select(r => r.Ratio), "F3")} | {results.Average(r => r.TrainSeconds),10:F1}"));
            }
        }
    }

    /// <summary><c>--compare</c>: every learner on the same featurized rows and split seeds.</summary>
    public static void Compare(IReadOnlyList<FraudMechanismKind> mechanisms, IReadOnlyList<string> learners, int nTrain, int nTest, int trainSeed, int[] seeds, TrainingOptions options, CancellationToken cancellationToken)
    {
        var log = CliConsole.WriteLine;
        log(CliConsole.Invariant($"learners side by side: train {nTrain:N0} rows (seed {trainSeed}), test {nTest:N0} rows (seed 2), split seeds {string.Join(",", seeds)}, {Describe(options)}"));
        log("mechanism        | learner  | PR-AUC (min–max)           | ratio (min–max)        | train s (× gbdt) | trees | model KB | baskets/s (× gbdt) | explain µs (× gbdt)");
        foreach (var mechanism in mechanisms)
        {
            var (baskets, labels) = Training(mechanism, nTrain, trainSeed);
            var test = Test(mechanism, nTest);
            Result? reference = null;
            foreach (var learner in learners)
            {
                var results = seeds.Select(seed => Run(baskets, labels, nTrain, test, options with { Seed = seed, Learner = learner }, speed: true, cancellationToken)).ToList();
                var mean = new Result(
                    results.Average(r => r.PrAuc),
                    results.Average(r => r.Ratio),
                    results.Average(r => r.TrainSeconds),
                    (int)Math.Round(results.Average(r => r.Trees)),
                    (long)results.Average(r => r.ModelBytes),
                    results.Average(r => r.BasketsPerSecond),
                    results.Average(r => r.ExplainMicroseconds));
                reference ??= mean;
                log(CliConsole.Invariant($"{FraudMechanisms.Name(mechanism),-16} | {learner,-8} | {Spread(results.Select(r => r.PrAuc))} | {Spread(results.Select(r => r.Ratio), "F3")} | {mean.TrainSeconds,6:F1} ({mean.TrainSeconds / reference.TrainSeconds,4:F2}×) | {mean.Trees,5} | {mean.ModelBytes / 1024.0,8:F0} | {mean.BasketsPerSecond,9:N0} ({mean.BasketsPerSecond / reference.BasketsPerSecond,4:F2}×) | {mean.ExplainMicroseconds,6:F0} ({mean.ExplainMicroseconds / reference.ExplainMicroseconds,4:F2}×)"));
            }
        }
    }

    private static string Describe(TrainingOptions options) =>
        options.Distill > 0
            ? string.Create(CultureInfo.InvariantCulture, $"learner {options.Learner}, {options.EnsembleMembers} teacher member(s) distilled into 1 student (distill {options.Distill})")
            : string.Create(CultureInfo.InvariantCulture, $"learner {options.Learner}, {options.EnsembleMembers} member(s)");

    private static string Spread(IEnumerable<double> values, string format = "F4")
    {
        var list = values.ToList();
        var text = string.Format(CultureInfo.InvariantCulture, $"{{0:{format}}} ({{1:{format}}}–{{2:{format}}})", list.Average(), list.Min(), list.Max());
        return text.PadRight(format == "F4" ? 26 : 22);
    }

    private static double ExplainMean(FraudModel model, IReadOnlyList<Basket> baskets)
    {
        var n = Math.Min(2_000, baskets.Count);
        for (var i = 0; i < n; i++)
        {
            model.Score(baskets[i], explain: true, maxReasons: 5);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            model.Score(baskets[i], explain: true, maxReasons: 5);
        }

        return clock.Elapsed.TotalMicroseconds / n;
    }
}
