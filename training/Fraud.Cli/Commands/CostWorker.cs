using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;
using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// The child process of <c>fraud cost</c>: one measured piece of work per process, so that its peak resident memory
/// (<c>VmHWM</c>) is that work's and nothing else's. It prints one <c>cost-result {json}</c> line that the parent reads.
/// </summary>
internal static class CostWorker
{
    public const string VerbName = "cost-worker";
    public const string ResultPrefix = "cost-result ";

    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "train | monitor | write-window" };
        var rows = new Option<int>("--rows") { DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var store = new Option<string?>("--store");
        var register = new Option<bool>("--register");
        var parameters = new Option<string[]>("--param");
        var testRows = new Option<int>("--test-rows") { Description = "train: also score this many generated baskets of seed 2 (after the measurement) and print their PR-AUC and the oracle's", DefaultValueFactory = _ => 0 };
        var trace = new Option<bool>("--trace") { Description = "train: print each training stage to stderr with the wall and CPU seconds since training started (where the time goes)" };
        var command = new Command(VerbName, "Internal: one measured step of fraud cost, in its own process.") { Hidden = true };
        command.Arguments.Add(task);
        foreach (var option in new Option[] { rows, seed, store, register, parameters, trace, testRows })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var options = TrainCommand.BuildOptions(parse.GetValue(seed), parse.GetValue(parameters) ?? []);
            var result = parse.GetValue(task) switch
            {
                "train" => await TrainAsync(parse.GetValue(rows), options, parse.GetValue(register) ? parse.GetValue(store) : null, parse.GetValue(trace), parse.GetValue(testRows), ct),
                "monitor" => await MonitorAsync(parse.GetValue(store) ?? throw new CliException("monitor needs --store"), options, ct),
                "write-window" => await WriteWindowAsync(parse.GetValue(store) ?? throw new CliException("write-window needs --store"), parse.GetValue(rows), ct),
                var other => throw new CliException($"unknown cost-worker task '{other}'"),
            };
            Console.Out.WriteLine(ResultPrefix + Json(result));
            await Console.Out.FlushAsync(ct);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Generates <paramref name="rows"/> baskets and trains the default model on them in this process, the way the
    /// monitoring job retrains (baskets in memory, <see cref="ModelTrainer.Train"/>, every core). Optionally registers
    /// the model as the champion of a file store and keeps its baskets there as the base training set.
    /// </summary>
    private static async Task<Dictionary<string, double>> TrainAsync(int rows, TrainingOptions options, string? registerIn, bool trace, int testRows, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var generated = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = options.Seed }).ToList();
        var baskets = generated.ConvertAll(g => g.Basket);
        var labels = generated.ConvertAll(g => g.IsFraud);
        generated = null;
        var generateSeconds = clock.Elapsed.TotalSeconds;
        var rssBefore = ProcessMemory.SelfRssMiB();
        var cpu = CpuSeconds();
        clock.Restart();
        var result = ModelTrainer.Train(baskets, labels, options, trace ? Trace(clock, cpu) : null, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = CpuSeconds() - cpu;
        var peak = ProcessMemory.SelfPeakRssMiB();
        var heapPeak = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes / (1024.0 * 1024.0);
        if (registerIn is not null)
        {
            var store = new FileBlobStore(registerIn);
            var registry = new ModelRegistry(store);
            await registry.RegisterAsync(result, new RegistrationInfo(Source: "fraud cost", Description: "champion of the cost measurements"), ct);
            await new TrainingDataStore(store).SaveBaseAsync(baskets, labels, "fraud cost: generated, seed " + options.Seed.ToString(CultureInfo.InvariantCulture), ct);
        }

        // What the model is, for comparing two builds at the same size and seed: the model id is a hash of its content,
        // the reference digest covers the drift profile, and the PR-AUCs are the card's test figures.
        var reference = System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(result.Card.Reference, Fraud.Model.Drift.DriftJsonContext.Default.ReferenceProfile));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cost-model {result.Model.ModelId} reference-sha256 {Convert.ToHexStringLower(reference)} test PR-AUC {result.Card.Metrics.PrAuc:R} baseline PR-AUC {result.Card.BaselineMetrics.PrAuc:R}"));
        if (testRows > 0)
        {
            // A held-out set from another seed, as fraud bench tests: the quality side of a large-data rule's cost.
            baskets = null!;
            labels = null!;
            var test = SyntheticBaskets.Generate(new GeneratorOptions { Rows = testRows, Seed = 2 }).ToList();
            var probabilities = new double[test.Count];
            result.Model.ScoreMany(test.ConvertAll(g => g.Basket), probabilities, threads: 0);
            var truth = test.ConvertAll(g => g.IsFraud).ToArray();
            var oracle = Fraud.Learning.Metrics.AveragePrecision(test.ConvertAll(g => g.FraudProbability).ToArray(), truth);
            var baseline = Fraud.Learning.Metrics.AveragePrecision(result.Baseline.PredictProbabilities(test.ConvertAll(g => g.Basket)), truth);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cost-test {testRows} baskets seed 2: PR-AUC {Fraud.Learning.Metrics.AveragePrecision(probabilities, truth):R} oracle {oracle:R} baseline {baseline:R}"));
        }

        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["rows"] = rows,
            ["generateSeconds"] = generateSeconds,
            ["seconds"] = seconds,
            ["cpuSeconds"] = cpu,
            ["rssBeforeMiB"] = rssBefore,
            ["peakRssMiB"] = peak,
            ["lastHeapMiB"] = heapPeak,
            ["trees"] = result.Model.TreeCount,
            ["members"] = result.Model.Members.Count,
        };
    }

    /// <summary>
    /// The monitoring job on a store, as the <c>MonitorModel</c> timer runs it, forced to retrain but stopped by the
    /// gate's minimum holdout just before training: so it times compaction, the drift check on the 24-hour window and
    /// the whole retraining data read (log + labels joined, base set, training set built), and nothing else.
    /// </summary>
    private static async Task<Dictionary<string, double>> MonitorAsync(string folder, TrainingOptions training, CancellationToken ct)
    {
        var store = new FileBlobStore(folder);
        var rssBefore = ProcessMemory.SelfRssMiB();
        var job = new MonitoringJob(store, new ModelRegistry(store), new RunTracker(store));
        var options = new MonitoringOptions
        {
            Force = true,
            Gate = new GateOptions { MinHoldoutRows = int.MaxValue },
            Training = training,
        };
        var cpu = CpuSeconds();
        var outcome = await job.RunAsync(options, ct);
        cpu = CpuSeconds() - cpu;
        var peak = ProcessMemory.SelfPeakRssMiB();
        if (outcome.Decision != MonitoringDecisions.Skipped)
        {
            throw new CliException($"the monitoring job decided '{outcome.Decision}' ({outcome.Reason}); expected it to stop before training");
        }

        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["windowRows"] = outcome.Drift?.CurrentRows ?? 0,
            ["driftSeconds"] = outcome.DriftTime.TotalSeconds,
            ["dataSeconds"] = outcome.DataTime.TotalSeconds,
            ["totalSeconds"] = outcome.TotalTime.TotalSeconds,
            ["cpuSeconds"] = cpu,
            ["trainingRows"] = outcome.TrainingRows,
            ["labelled"] = outcome.LabelledBaskets,
            ["rssBeforeMiB"] = rssBefore,
            ["peakRssMiB"] = peak,
        };
    }

    /// <summary>
    /// Writes <paramref name="rows"/> logged baskets and their labels into a store, as <c>fraud cost</c> does before each
    /// window's monitoring run: so that two builds' monitoring jobs can be measured on copies of the same store.
    /// </summary>
    private static async Task<Dictionary<string, double>> WriteWindowAsync(string folder, int rows, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await CostCommand.WriteLogAsync(new FileBlobStore(folder), rows, ct);
        return new Dictionary<string, double>(StringComparer.Ordinal) { ["rows"] = rows, ["seconds"] = clock.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// Progress lines for <c>--trace</c>: each stage change, and every 50th boosting round, with wall and CPU seconds since
    /// training started, so that wall time can be set against CPU time stage by stage (is a stage using both cores?).
    /// </summary>
    private static Action<TrainingProgress> Trace(Stopwatch clock, double cpuAtStart) => update =>
    {
        var round = update.Stage == "boost" && update.Detail.Contains("round ", StringComparison.Ordinal)
            ? update.Detail[(update.Detail.IndexOf("round ", StringComparison.Ordinal) + 6)..].Split(',')[0]
            : null;
        if (round is null || round == "1" || int.Parse(round, CultureInfo.InvariantCulture) % 50 == 0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace {clock.Elapsed.TotalSeconds,8:F1} s wall {CpuSeconds() - cpuAtStart,8:F1} s CPU  {update.Stage}: {update.Detail}"));
        }
    };

    /// <summary>CPU time of this process so far (every thread, user + system): on a shared machine, the figure other processes cannot inflate.</summary>
    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Runs <c>fraud cost-worker args...</c> in a child process of this same program and returns its result.</summary>
    public static async Task<Dictionary<string, double>> RunAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var start = ChildProcess.Start([VerbName, .. args]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new CliException("could not start the cost worker process");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new CliException($"the cost worker ({string.Join(' ', args)}) failed with exit code {process.ExitCode}: {(await stderr).Trim()} {stdout.Trim()}");
        }

        using var document = JsonDocument.Parse(line[ResultPrefix.Length..]);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetDouble() : double.NaN;
        }

        return result;
    }

    private static string Json(Dictionary<string, double> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in values)
            {
                if (double.IsFinite(value))
                {
                    writer.WriteNumber(key, value);
                }
                else
                {
                    writer.WriteNull(key);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>How the CLI starts a child process of itself (the apphost when there is one, else <c>dotnet fraud.dll</c>).</summary>
internal static class ChildProcess
{
    public static ProcessStartInfo Start(IEnumerable<string> args)
    {
        // The assembly's own location, not argv[0]: in the tests this program runs inside the test host.
        var dll = typeof(ChildProcess).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(dll) ?? ".", OperatingSystem.IsWindows() ? "fraud.exe" : "fraud");
        ProcessStartInfo start;
        if (File.Exists(apphost))
        {
            start = new ProcessStartInfo(apphost);
        }
        else
        {
            start = new ProcessStartInfo(DotnetHost());
            start.ArgumentList.Add(dll);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        // The handler's runtime settings (workstation, concurrent GC): a retraining runs inside the handler in Azure.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "1";
        return start;
    }

    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
