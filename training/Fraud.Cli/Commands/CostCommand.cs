using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
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
/// <c>fraud cost</c>: how cost grows with volume (issue 15, "How cost grows"). For generated baskets it prints training
/// time and peak resident memory per training-set size (each training in its own process, so the peak is that
/// training's), the monitoring job's drift check and retraining data read on prediction-log windows written through the
/// product's own log writer, one ProcessBatch message through a real handler process, and the handler's resident memory
/// while it scores a million baskets over real HTTP; then one line per goal, MET or MISSED. Figures are printed, never
/// asserted: absolute times on shared cores move, so growth factors (ratios within the run) are what the goals read.
/// </summary>
internal static class CostCommand
{
    private const int ChampionSeed = 1;
    private const double TrainingSecondsGoal = 180;
    private const double TrainingMemoryGoalMiB = 4096;
    private const double LinearExponentGoal = 1.10;
    private const double FlatMemoryGoal = 1.10;

    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Training-set sizes in baskets, comma-separated; the smallest also trains the champion the other sections use.", DefaultValueFactory = _ => "92790,300000,1000000" };
        var windows = new Option<string>("--windows") { Description = "Prediction-log windows in logged baskets, comma-separated.", DefaultValueFactory = _ => "100000,1000000" };
        var batch = new Option<int>("--batch") { Description = "Baskets in the one ProcessBatch message (at most 10000).", DefaultValueFactory = _ => 10_000 };
        var load = new Option<int>("--load") { Description = "Baskets the handler scores through POST /api/score/batch while its memory is sampled.", DefaultValueFactory = _ => 1_000_000 };
        var handler = new Option<string?>("--handler") { Description = "The handler to start: FraudFunctions executable or FraudFunctions.dll (default: beside this program, else functions/FraudFunctions/bin/Release/net10.0 of the repository around the current folder)." };
        var connections = new Option<int>("--connections") { Description = "Concurrent connections of the load.", DefaultValueFactory = _ => 2 };
        var parameters = new Option<string[]>("--param") { Description = "Training parameter key=value (repeatable), as for fraud train; default: the product's defaults." };
        var noHandler = new Option<bool>("--no-handler") { Description = "Skip the handler sections (ProcessBatch, memory under load): training and the monitoring job only." };
        var command = new Command("cost", "How cost grows: training time and peak memory per size, drift check and retraining read per log window, ProcessBatch, handler memory under load; goals MET/MISSED.");
        foreach (var option in new Option[] { sizes, windows, batch, load, handler, connections, parameters, noHandler })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var trainSizes = ParseList(parse.GetValue(sizes), "--sizes", 2000);
            var windowSizes = ParseList(parse.GetValue(windows), "--windows", 100);
            var batchSize = parse.GetValue(batch);
            var loadSize = parse.GetValue(load);
            var connectionCount = parse.GetValue(connections);
            if (batchSize is < 1 or > 10_000)
            {
                throw new CliException($"--batch must be between 1 and 10000, not {batchSize}.");
            }

            if (loadSize < 1000)
            {
                throw new CliException($"--load must be at least 1000 baskets, not {loadSize}.");
            }

            if (connectionCount is < 1 or > 64)
            {
                throw new CliException($"--connections must be between 1 and 64, not {connectionCount}.");
            }

            // Found before anything heavy runs, so a missing build fails in a second, not after the training.
            var handlerPath = parse.GetValue(noHandler) ? null : FindHandler(parse.GetValue(handler));
            var extra = parse.GetValue(parameters) ?? [];
            TrainCommand.BuildOptions(ChampionSeed, extra); // a bad --param fails here, not in the first child
            var workerParams = extra.SelectMany(p => new[] { "--param", p }).ToArray();
            await RunAsync(trainSizes, windowSizes, batchSize, loadSize, connectionCount, handlerPath, workerParams, ct);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(int[] trainSizes, int[] windowSizes, int batchSize, int loadSize, int connections, string? handlerPath, string[] workerParams, CancellationToken ct)
    {
        var log = CliConsole.WriteLine;
        var work = Path.Combine(Path.GetTempPath(), $"fraud-cost-{Guid.NewGuid():N}");
        var template = Path.Combine(work, "champion-store");
        Directory.CreateDirectory(template);
        var total = Stopwatch.StartNew();
        try
        {
            log(CliConsole.Invariant($"fraud cost on {Environment.ProcessorCount} cores, {TotalMemoryGiB():F0} GiB; load average at start {LoadAverage()} (a shared machine: times move 2x run to run, read the growth factors)"));
            log(CliConsole.Invariant($"memory: resident set size of the measuring process ({ProcessMemory.Source}); peak = the kernel's high-water mark of that process, read at the end of the measured work"));

            var training = await TrainingSectionAsync(trainSizes, template, workerParams, ct);
            var monitoring = await WindowSectionAsync(windowSizes, template, work, workerParams, ct);
            var serving = handlerPath is null ? null : await HandlerSectionAsync(handlerPath, template, work, batchSize, loadSize, connections, ct);
            Goals(training, serving);
            log(CliConsole.Invariant($"load average at the end {LoadAverage()}; whole run {total.Elapsed.TotalMinutes:F1} min"));
            GC.KeepAlive(monitoring);
        }
        finally
        {
            TryDelete(work);
        }
    }

    // ---- training -------------------------------------------------------------------------------------------------

    private sealed record TrainingRow(int Rows, double Seconds, double CpuSeconds, double PeakMiB, double BeforeMiB, double Exponent, double CpuExponent);

    private static async Task<List<TrainingRow>> TrainingSectionAsync(int[] sizes, string template, string[] workerParams, CancellationToken ct)
    {
        var log = CliConsole.WriteLine;
        var ordered = sizes.Order().ToArray();
        log(string.Empty);
        log(CliConsole.Invariant($"== training: generated baskets (seed 1), {(workerParams.Length == 0 ? "the default model" : "parameters " + string.Join(' ', workerParams))} (ModelTrainer.Train as the monitoring job retrains: baskets in memory, every core), one child process per size"));
        log("   rows       | wall s | CPU s  | wall × prev | CPU × prev | rows × prev | k wall | k CPU | peak RSS MiB | RSS before training MiB | trees");
        var rows = new List<TrainingRow>();
        foreach (var size in ordered)
        {
            var first = rows.Count == 0;
            string[] args = first
                ? ["train", "--rows", Text(size), "--seed", Text(ChampionSeed), "--register", "--store", template]
                : ["train", "--rows", Text(size), "--seed", Text(ChampionSeed)];
            var result = await CostWorker.RunAsync([.. args, .. workerParams], ct);
            var seconds = result["seconds"];
            var cpu = result["cpuSeconds"];
            var previous = first ? null : rows[^1];
            // t ∝ n^k between two sizes: k = 1 is linear growth, k > 1 worse than linear.
            var growth = previous is null ? double.NaN : Math.Log((double)size / previous.Rows);
            var row = new TrainingRow(size, seconds, cpu, result["peakRssMiB"], result["rssBeforeMiB"],
                previous is null ? double.NaN : Math.Log(seconds / previous.Seconds) / growth,
                previous is null ? double.NaN : Math.Log(cpu / previous.CpuSeconds) / growth);
            rows.Add(row);
            log(CliConsole.Invariant(
                $"   {size,10:N0} | {seconds,6:F1} | {cpu,6:F1} | {Factor(seconds, previous?.Seconds),11} | {Factor(cpu, previous?.CpuSeconds),10} | {Factor(size, previous?.Rows),11} | {Fixed(row.Exponent),6} | {Fixed(row.CpuExponent),5} | {row.PeakMiB,12:F0} | {row.BeforeMiB,23:F0} | {result["trees"],5:F0}"));
        }

        log(CliConsole.Invariant($"   (k: time ∝ rows^k between neighbouring sizes, 1 = linear; CPU s = the child's processor time, every thread, which other processes on a shared machine cannot inflate; the champion of the sections below is the {ordered[0]:N0}-row model; the peak includes the generated baskets held in memory, as a retraining holds its training set)"));
        return rows;
    }

    private static string Factor(double value, double? previous) =>
        previous is { } p ? (value / p).ToString("F2", CultureInfo.InvariantCulture) + " x" : "–";

    private static string Fixed(double value) => double.IsNaN(value) ? "–" : value.ToString("F2", CultureInfo.InvariantCulture);

    // ---- drift check and retraining data read ------------------------------------------------------------------------

    private static async Task<List<Dictionary<string, double>>> WindowSectionAsync(int[] windows, string template, string work, string[] workerParams, CancellationToken ct)
    {
        var log = CliConsole.WriteLine;
        log(string.Empty);
        log("== drift check and retraining data read: N generated baskets written over the last 23 hours through the prediction log (BufferedPredictionLog, Parquet, embedded file store), a label for each, then the monitoring job (MonitorModel's code: compaction, drift check, data read), forced to retrain and stopped by the gate just before training, in a child process");
        log("   logged     | write s | drift check s | retraining data read s | job total s | job CPU s | training rows | peak RSS MiB");
        var results = new List<Dictionary<string, double>>();
        foreach (var size in windows.Order())
        {
            var folder = Path.Combine(work, "window-" + Text(size));
            CopyFolder(template, folder);
            try
            {
                var clock = Stopwatch.StartNew();
                await WriteLogAsync(new FileBlobStore(folder), size, ct);
                var write = clock.Elapsed.TotalSeconds;
                var result = await CostWorker.RunAsync(["monitor", "--store", folder, "--seed", Text(ChampionSeed), .. workerParams], ct);
                results.Add(result);
                log(CliConsole.Invariant(
                    $"   {size,10:N0} | {write,7:F1} | {result["driftSeconds"],13:F1} | {result["dataSeconds"],22:F1} | {result["totalSeconds"],11:F1} | {result["cpuSeconds"],9:F1} | {result["trainingRows"],13:N0} | {result["peakRssMiB"],12:F0}"));
                if ((int)result["windowRows"] != size)
                {
                    log(CliConsole.Invariant($"   warning: the drift window held {result["windowRows"]:N0} records, not {size:N0}"));
                }
            }
            finally
            {
                TryDelete(folder);
            }
        }

        log(CliConsole.Invariant($"   (drift check = window read (basket columns) + labels read + featurize, re-score, classifier test, PSI + report saved; data read = log read streamed (basket columns; only labelled baskets kept) + label join + base set + training set built, capped at {MonitoringOptions.DefaultMaxTrainingRows:N0} rows: every fraud, then the newest)"));
        return results;
    }

    /// <summary>Writes <paramref name="count"/> scored baskets and their labels the way the handler and <c>/api/labels</c> do.</summary>
    internal static async Task WriteLogAsync(IBlobStore store, int count, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var start = now - TimeSpan.FromHours(23);
        var step = (TimeSpan.FromHours(23) - TimeSpan.FromMinutes(1)) / count;
        var labels = new LabelStore(store);
        var pending = new List<FraudLabel>(10_000);
        var i = 0;
        await using (var log = new BufferedPredictionLog(store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1), MaxBufferBytes = 1L << 30 }))
        {
            foreach (var generated in SyntheticBaskets.Generate(new GeneratorOptions { Rows = count, Seed = 9001 }))
            {
                var at = start + (step * i);
                if (!log.TryWrite(new PredictionRecord(generated.Basket, generated.FraudProbability, Decision.Approve, "1", at, "http")))
                {
                    throw new CliException("the prediction log refused a record while writing the window");
                }

                pending.Add(new FraudLabel(generated.Basket.Id, generated.IsFraud, "chargeback", at + TimeSpan.FromSeconds(30)));
                if (pending.Count == 10_000)
                {
                    // One /api/labels request's worth per blob, as the handler writes them; the log flushes per 50,000.
                    await labels.AppendAsync(pending, ct);
                    pending.Clear();
                }

                if (++i % 50_000 == 0)
                {
                    await log.FlushAsync(ct);
                }
            }

            await labels.AppendAsync(pending, ct);
            await log.FlushAsync(ct);
            if (log.Dropped > 0)
            {
                throw new CliException(CliConsole.Invariant($"the prediction log dropped {log.Dropped} records while writing the window"));
            }
        }
    }

    // ---- the handler: ProcessBatch and memory under load ---------------------------------------------------------------

    private sealed record Sample(long Scored, double RssMiB, double BasketsPerSecond);

    private sealed record ServingResult(List<Sample> Samples, double PeakMiB, int Load);

    private static async Task<ServingResult> HandlerSectionAsync(string handlerPath, string template, string work, int batchSize, int loadSize, int connections, CancellationToken ct)
    {
        var log = CliConsole.WriteLine;
        var folder = Path.Combine(work, "handler-store");
        CopyFolder(template, folder);
        var port = FreePort();
        var baseUri = new Uri(CliConsole.Invariant($"http://127.0.0.1:{port}/"));
        using var handler = StartHandler(handlerPath, folder, Path.Combine(work, "handler-run"), port);
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false }) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            await WaitHealthyAsync(client, handler, ct);
            var pid = handler.Id;
            var startRss = ProcessMemory.RssMiB(pid);

            // ProcessBatch: one queued message in the host's envelope, against in-process scoring of the same baskets.
            log(string.Empty);
            log(CliConsole.Invariant($"== ProcessBatch: one message of {batchSize:N0} generated baskets in the Functions host's envelope, POST /ProcessBatch to a handler process ({Path.GetFileName(handlerPath)}, pid {pid}, embedded store, logging at Warning)"));
            var baskets = SyntheticBaskets.Generate(new GeneratorOptions { Rows = batchSize, Seed = 7 }).Select(g => g.Basket).ToList();
            var envelope = LoadTestCommand.HostEnvelope("cost-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), baskets);
            var before = ProcessMemory.RssMiB(pid);
            var clock = Stopwatch.StartNew();
            using (var response = await client.PostAsync(new Uri("ProcessBatch", UriKind.Relative), JsonContent(envelope), ct))
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new CliException($"ProcessBatch answered {(int)response.StatusCode}: {body}");
                }

                using var document = JsonDocument.Parse(body);
                var scored = document.RootElement.GetProperty("Outputs").GetProperty("results").GetProperty("counts").GetProperty("scored").GetInt32();
                var seconds = clock.Elapsed.TotalSeconds;
                var reference = InProcessSeconds(template, baskets);
                log(CliConsole.Invariant(
                    $"   ProcessBatch {scored:N0} baskets scored in {seconds:F2} s ({scored / seconds:N0} baskets/s, envelope {envelope.Length / 1024.0 / 1024.0:F1} MiB); in-process ScoreMany of the same baskets on every core {reference:F2} s (ProcessBatch = {seconds / reference:F1} x that); handler RSS {before:F0} -> {ProcessMemory.RssMiB(pid):F0} MiB"));
            }

            // Memory under load.
            log(string.Empty);
            log(CliConsole.Invariant($"== handler memory under load: {loadSize:N0} generated baskets through POST /api/score/batch?explain=false, 1,000 per request, {connections} connection(s), same handler process (RSS at start {startRss:F0} MiB, before the ProcessBatch)"));
            log("   scored     | RSS MiB | baskets/s since previous sample");
            var samples = await LoadAsync(client, pid, loadSize, connections, ct);
            foreach (var sample in samples)
            {
                log(CliConsole.Invariant($"   {(sample.Scored < 0 ? "after 10 s idle" : sample.Scored.ToString("N0", CultureInfo.InvariantCulture)),-10} | {sample.RssMiB,7:F0} | {(double.IsNaN(sample.BasketsPerSecond) ? "–" : sample.BasketsPerSecond.ToString("N0", CultureInfo.InvariantCulture))}"));
            }

            var peak = ProcessMemory.PeakRssMiB(pid);
            log(CliConsole.Invariant($"   handler peak RSS (VmHWM, whole life incl. start-up and the ProcessBatch): {peak:F0} MiB"));
            return new ServingResult(samples, peak, loadSize);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new CliException($"the handler stopped answering ({ex.Message}); its last output: {string.Join(" | ", handler.LastLines())}");
        }
    }

    private static double InProcessSeconds(string template, List<Basket> baskets)
    {
        var registry = new ModelRegistry(new FileBlobStore(template));
        var (model, _) = registry.LoadAsync("1").GetAwaiter().GetResult();
        var scores = new double[baskets.Count];
        model.ScoreMany(baskets, scores, threads: 0); // warm-up
        var clock = Stopwatch.StartNew();
        model.ScoreMany(baskets, scores, threads: 0);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<List<Sample>> LoadAsync(HttpClient client, int pid, int total, int connections, CancellationToken ct)
    {
        const int PerRequest = 1000;
        const int Distinct = 32;
        // A pool of request bodies made once (distinct basket ids per body), so the load generator spends its share of
        // the two cores on sending, not on serialising.
        var bodies = new byte[Distinct][];
        var generated = SyntheticBaskets.Generate(new GeneratorOptions { Rows = Distinct * PerRequest, Seed = 11 }).Select(g => g.Basket).ToList();
        for (var b = 0; b < Distinct; b++)
        {
            var json = JsonSerializer.Serialize(generated.GetRange(b * PerRequest, PerRequest), BasketJsonContext.Default.ListBasket);
            bodies[b] = Encoding.UTF8.GetBytes("{\"baskets\":" + json + "}");
        }

        var requests = (total + PerRequest - 1) / PerRequest;
        var sampleEvery = Math.Max(1, requests / 10);
        var samples = new List<Sample> { new(0, ProcessMemory.RssMiB(pid), double.NaN) };
        var next = -1;
        long scored = 0;
        var gate = new object();
        var clock = Stopwatch.StartNew();
        var lastTime = TimeSpan.Zero;
        long lastScored = 0;
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= requests)
                {
                    return;
                }

                using var response = await client.PostAsync(new Uri("api/score/batch?explain=false", UriKind.Relative), JsonContent(bodies[n % Distinct]), ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new CliException($"POST /api/score/batch answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                }

                await response.Content.CopyToAsync(Stream.Null, ct);
                var done = Interlocked.Add(ref scored, PerRequest);
                if ((n + 1) % sampleEvery == 0)
                {
                    lock (gate)
                    {
                        var now = clock.Elapsed;
                        samples.Add(new Sample(done, ProcessMemory.RssMiB(pid), (done - lastScored) / (now - lastTime).TotalSeconds));
                        (lastTime, lastScored) = (now, done);
                    }
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        // Idle: the prediction log's next flush (5 s) has written what the load left queued.
        await Task.Delay(TimeSpan.FromSeconds(10), ct);
        samples.Add(new Sample(-1, ProcessMemory.RssMiB(pid), double.NaN));
        return samples;
    }

    private static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task WaitHealthyAsync(HttpClient client, HandlerChild handler, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (handler.HasExited)
            {
                throw new CliException($"the handler exited with code {handler.ExitCode}: {string.Join(" | ", handler.LastLines())}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("api/health", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200, ct);
        }

        throw new CliException($"the handler did not become healthy in 2 minutes: {string.Join(" | ", handler.LastLines())}");
    }

    // ---- goals ------------------------------------------------------------------------------------------------------

    private static void Goals(List<TrainingRow> training, ServingResult? serving)
    {
        var log = CliConsole.WriteLine;
        log(string.Empty);
        log("== goals");
        var steps = training.Where(r => !double.IsNaN(r.Exponent)).ToList();
        if (steps.Count == 0)
        {
            log("   training grows no worse than linearly: NOT MEASURED (give two or more --sizes)");
        }
        else
        {
            // Judged on CPU time: wall time on a shared machine moves with everybody else's load.
            var worst = steps.Max(r => r.CpuExponent);
            log(CliConsole.Invariant(
                $"   training grows no worse than linearly (CPU time ∝ rows^k, k ≤ {LinearExponentGoal:F2} at every step): k = {string.Join(", ", steps.Select(r => Fixed(r.CpuExponent)))} (wall: {string.Join(", ", steps.Select(r => Fixed(r.Exponent)))}) {Verdict(worst <= LinearExponentGoal)}"));
        }

        var million = training.FirstOrDefault(r => r.Rows == 1_000_000);
        if (million is null)
        {
            log("   1,000,000 rows trained in ≤ 3 min: NOT MEASURED (1000000 not in --sizes)");
            log("   1,000,000 rows trained in ≤ 4 GB: NOT MEASURED (1000000 not in --sizes)");
        }
        else
        {
            // CPU time over the cores is the wall time this work needs on the same cores with nobody else on them, at best.
            var alone = million.CpuSeconds / Environment.ProcessorCount;
            log(CliConsole.Invariant($"   1,000,000 rows trained in ≤ 3 min: {million.Seconds:F0} s wall {Verdict(million.Seconds <= TrainingSecondsGoal)} (CPU {million.CpuSeconds:F0} s / {Environment.ProcessorCount} cores = {alone:F0} s on idle cores at best: {Verdict(alone <= TrainingSecondsGoal)})"));
            log(CliConsole.Invariant($"   1,000,000 rows trained in ≤ 4 GB: peak RSS {million.PeakMiB:F0} MiB {Verdict(million.PeakMiB <= TrainingMemoryGoalMiB)}"));
        }

        // Flat: the resident set at the end of the load against the one after the first fifth of it (warm: code
        // jitted, pools and the log's buffers at their working size).
        if (serving is null)
        {
            log("   memory flat under load: NOT MEASURED (--no-handler)");
            return;
        }

        var during = serving.Samples.Where(s => s.Scored > 0).ToList();
        var warm = during.FirstOrDefault(s => s.Scored >= serving.Load / 5) ?? during.FirstOrDefault();
        var end = during.LastOrDefault();
        if (warm is null || end is null)
        {
            log("   memory flat under load: NOT MEASURED");
        }
        else
        {
            var growth = end.RssMiB / warm.RssMiB;
            log(CliConsole.Invariant(
                $"   memory flat under load (RSS after {end.Scored:N0} ≤ {FlatMemoryGoal:F2} × RSS after {warm.Scored:N0}): {warm.RssMiB:F0} -> {end.RssMiB:F0} MiB ({growth:F2} x) {Verdict(growth <= FlatMemoryGoal)}"));
        }
    }

    private static string Verdict(bool met) => met ? "MET" : "MISSED";

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static HandlerChild StartHandler(string path, string store, string runFolder, int port)
    {
        Directory.CreateDirectory(runFolder);
        var start = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet") { ArgumentList = { path } }
            : new ProcessStartInfo(path);
        start.WorkingDirectory = runFolder;
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var key in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "FUNCTIONS_CUSTOMHANDLER_PORT", "ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT", "APPLICATIONINSIGHTS_CONNECTION_STRING", "DOTNET_gcServer" })
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_URLS"] = CliConsole.Invariant($"http://127.0.0.1:{port}");
        start.Environment["FraudStorage"] = store;
        start.Environment["Fraud__BootstrapTrainingRows"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["PredictionLog__SpillDirectory"] = Path.Combine(runFolder, "spill");
        return new HandlerChild(Process.Start(start) ?? throw new CliException($"could not start the handler {path}"));
    }

    /// <summary>
    /// The handler to measure: <paramref name="given"/>, else the FraudFunctions build beside this program (the CLI
    /// tests reference the handler project for that), else the Release build in the repository around the current folder.
    /// </summary>
    private static string FindHandler(string? given)
    {
        var name = OperatingSystem.IsWindows() ? "FraudFunctions.exe" : "FraudFunctions";
        if (given is not null)
        {
            var full = Path.GetFullPath(given);
            if (Directory.Exists(full))
            {
                full = Path.Combine(full, name);
            }

            return File.Exists(full) ? full : throw new CliException($"--handler: not found: {given}");
        }

        var beside = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FraudFunctions.sln")))
            {
                var built = Path.Combine(dir.FullName, "functions", "FraudFunctions", "bin", "Release", "net10.0", name);
                if (File.Exists(built))
                {
                    return built;
                }

                break;
            }
        }

        throw new CliException("no handler build found: run `dotnet build functions/FraudFunctions -c Release` in the repository, or pass --handler <path to FraudFunctions>.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int[] ParseList(string? text, string option, int minimum)
    {
        var parts = (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < minimum)
            {
                throw new CliException($"{option}: expected whole numbers of at least {minimum:N0} separated by commas, not '{text}'.");
            }
        }

        return values.Length == 0 ? throw new CliException($"{option}: give at least one size.") : values.Distinct().ToArray();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CliConsole.WriteLine($"note: could not delete {folder}: {ex.Message}");
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

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

    private static double TotalMemoryGiB() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);

    /// <summary>The handler process, killed on dispose; keeps its last output lines for error messages.</summary>
    private sealed class HandlerChild : IDisposable
    {
        private readonly Process _process;
        private readonly Queue<string> _lines = new();

        public HandlerChild(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Keep(e.Data);
            _process.ErrorDataReceived += (_, e) => Keep(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public string[] LastLines()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 20)
                {
                    _lines.Dequeue();
                }
            }
        }
    }
}
