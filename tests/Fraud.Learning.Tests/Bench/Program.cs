using System.Diagnostics;
using System.Globalization;
using Fraud.Learning;
using Fraud.Learning.Tests;

// Figures for the learner alone on a synthetic problem the size of the challenge's training set.
// Usage: Fraud.Learning.Bench [rows=92790] [features=200] [threads=0] [profile=leaves31|product]
// leaves31: 31 leaves, unlimited depth (LightGBM defaults); product: the settings Fraud.Model trains with.
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 92_790;
var features = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
var profile = args.Length > 3 ? args[3] : "leaves31";

var (x, y) = SyntheticProblem.Make(rows, features, seed: 1);
var (validX, validY) = SyntheticProblem.Make(20_000, features, seed: 2);
var (testX, testY, oracle) = SyntheticProblem.MakeWithOracle(50_000, features, seed: 3);
Print($"data: train {rows} x {features} ({y.Average():P2} positive), valid 20000, test 50000, threads {(threads == 0 ? Environment.ProcessorCount : threads)}");

var options = new GbdtOptions
{
    NumRounds = 1000,
    LearningRate = 0.05,
    NumLeaves = 31,
    EarlyStoppingRounds = 50,
    FeatureFraction = 0.8,
    BaggingFraction = 0.8,
    Seed = 7,
    Threads = threads,
};
if (profile == "product")
{
    options = options with { NumRounds = 400, NumLeaves = 15, MaxDepth = 6, MinDataInLeaf = 100, L2 = 2, EarlyStoppingRounds = 100 };
}

Print($"profile {profile}: {options}");
if (Environment.GetEnvironmentVariable("AB") is { } ab)
{
    var abOptions = new GbdtOptions { NumRounds = 60, EarlyStoppingRounds = 0, FeatureFraction = 0.8, BaggingFraction = 0.8, Seed = 7, Threads = threads };
    for (var rep = 0; rep < 3; rep++)
    {
        foreach (var t in new[] { 1, 2 })
        {
            abOptions = abOptions with { Threads = t };
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            var w0 = Stopwatch.StartNew();
            var m = GbdtTrainer.Train(x, y, abOptions);
            Print($"threads={t}: wall {w0.Elapsed.TotalSeconds:F2} cpu {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds:F2} trees {m.TreeCount}");
        }
    }

    return;
}

var rounds = 0;
// CPU time beside wall time: on a shared machine the wall clock also measures the neighbours.
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var watch = Stopwatch.StartNew();
var model = GbdtTrainer.Train(x, y, options, validX, validY, r => rounds = r.Round);
watch.Stop();
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
Print($"gbdt train: {watch.Elapsed.TotalSeconds:F2} s wall, {cpu.TotalSeconds:F2} s CPU for {rounds} rounds ({watch.Elapsed.TotalMilliseconds / rounds:F1} ms/round wall), kept {model.TreeCount} trees, max depth {model.MaxDepth}");

var gbdtScores = new double[testX.Rows];
model.PredictRaw(testX, gbdtScores);
var oracleAp = Metrics.AveragePrecision(oracle, testY);
var gbdtAp = Metrics.AveragePrecision(gbdtScores, testY);
Print($"gbdt test: PR-AUC {gbdtAp:F4} ({gbdtAp / oracleAp:P0} of the oracle's {oracleAp:F4}), ROC-AUC {Metrics.RocAuc(gbdtScores, testY):F4} (oracle {Metrics.RocAuc(oracle, testY):F4})");

watch.Restart();
var logistic = LogisticRegression.Train(x, y, new LogisticOptions { Threads = threads });
watch.Stop();
var lrScores = new double[testX.Rows];
logistic.PredictRaw(testX, lrScores);
Print($"logistic train: {watch.Elapsed.TotalSeconds:F2} s; test PR-AUC {Metrics.AveragePrecision(lrScores, testY):F4}, ROC-AUC {Metrics.RocAuc(lrScores, testY):F4}");

// Single-row latency, after a warm-up pass.
var latencies = new double[10_000];
double sink = 0;
for (var i = 0; i < 1000; i++)
{
    sink += model.PredictRaw(testX.Row(i));
}

for (var i = 0; i < latencies.Length; i++)
{
    var start = Stopwatch.GetTimestamp();
    sink += model.PredictRaw(testX.Row(i));
    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
}

Array.Sort(latencies);
Print($"predict one row (wall): p50 {latencies[latencies.Length / 2]:F2} us, p99 {latencies[(int)(latencies.Length * 0.99)]:F2} us, mean {latencies.Average():F2} us");

var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
watch.Restart();
for (var rep = 0; rep < 5; rep++)
{
    model.PredictRaw(testX, gbdtScores);
}

watch.Stop();
var batchCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
Print($"predict batch (1 thread): {5 * testX.Rows / watch.Elapsed.TotalSeconds:N0} rows/s wall, {5 * testX.Rows / batchCpu:N0} rows per CPU-second ({batchCpu * 1e6 / (5 * testX.Rows):F2} us CPU per row)");
watch.Restart();
model.PredictRaw(testX, gbdtScores, threads);
watch.Stop();
Print($"predict batch (all threads): {testX.Rows / watch.Elapsed.TotalSeconds:N0} rows/s");

var phi = new double[features];
var shap = new double[2000];
for (var i = 0; i < 100; i++)
{
    sink += TreeShap.Explain(model, testX.Row(i), phi);
}

double worstGap = 0;
cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
for (var i = 0; i < shap.Length; i++)
{
    var start = Stopwatch.GetTimestamp();
    var expected = TreeShap.Explain(model, testX.Row(i), phi);
    shap[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    worstGap = Math.Max(worstGap, Math.Abs(expected + phi.Sum() - model.PredictRaw(testX.Row(i))));
}

var shapCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds * 1000 / shap.Length;
Array.Sort(shap);
Print($"treeshap one row (wall): p50 {shap[shap.Length / 2]:F0} us, p99 {shap[(int)(shap.Length * 0.99)]:F0} us; CPU {shapCpu:F0} us per row; max |base + sum(phi) - raw| = {worstGap:E1}");
Print($"(checksum {sink:F3})");

static void Print(string line) => Console.WriteLine(line);
