using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud loadtest</c>: drives a running handler on loopback and prints <c>/api/score</c> latency (p50, p99) and
/// throughput next to <c>/api/health</c> throughput from the same run, or the <c>ProcessBatch</c> throughput for one
/// queued message of N baskets posted in the Functions host's envelope.
/// </summary>
internal static class LoadTestCommand
{
    private const int MaxConnections = 256;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base URL of the running handler (loopback only).", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var connections = new Option<int>("--connections", "-c") { Description = "Concurrent connections.", DefaultValueFactory = _ => 32 };
        var duration = new Option<string>("--duration", "-d") { Description = "Measured time per endpoint, e.g. 10s or 1m (at most 2m).", DefaultValueFactory = _ => "10s" };
        var warmup = new Option<string>("--warmup") { Description = "Unmeasured warm-up per endpoint.", DefaultValueFactory = _ => "2s" };
        var apiKey = new Option<string?>("--api-key") { Description = "x-api-key to send when the handler runs with Fraud__ApiKey." };
        var processBatch = new Option<int?>("--process-batch") { Description = "Instead of the HTTP run, post one ProcessBatch message with this many baskets (at most 10000) and time it." };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated baskets sent.", DefaultValueFactory = _ => 7 };
        var noExplain = new Option<bool>("--no-explain") { Description = "Score with explain=false (no reasons), to see what the explanations cost." };
        var claimCheck = new Option<bool>("--claim-check")
        {
            Description = "With --process-batch: send the batch by claim check through --store (the handler's FraudStorage), deliver it twice and show that the second delivery writes nothing.",
        };
        var store = StoreCli.StoreOption();
        var bare = new Option<string?>("--bare") { Description = "Compare against a bare Kestrel minimal-API endpoint parsing the same JSON, in the same run, at these connection counts (e.g. 4,32): /api/score with and without reasons, ratios of req/s and p99." };

        var command = new Command("loadtest", "Measure a running handler: /api/score p50/p99 latency and throughput with /api/health in the same run, or ProcessBatch throughput.");
        foreach (var option in new Option[] { url, connections, duration, warmup, apiKey, processBatch, seed, noExplain, claimCheck, store, bare })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var baseUri = LoopbackUri(parse.GetValue(url));
            var key = parse.GetValue(apiKey);
            if (parse.GetValue(processBatch) is { } count)
            {
                if (count is < 1 or > 10_000)
                {
                    throw new CliException($"--process-batch must be between 1 and 10000, not {count}.");
                }

                if (parse.GetValue(claimCheck))
                {
                    await RunClaimCheckBatchAsync(baseUri, key, count, parse.GetValue(seed), StoreCli.OpenStore(parse.GetValue(store)), ct);
                    return 0;
                }

                await RunProcessBatchAsync(baseUri, key, count, parse.GetValue(seed), ct);
                return 0;
            }

            var n = parse.GetValue(connections);
            if (n is < 1 or > MaxConnections)
            {
                throw new CliException($"--connections must be between 1 and {MaxConnections}, not {n}.");
            }

            var measured = ParseDuration(parse.GetValue(duration), "--duration");
            var warm = ParseDuration(parse.GetValue(warmup), "--warmup", allowZero: true);
            if (parse.GetValue(bare) is { } counts)
            {
                var list = new List<int>();
                foreach (var part in counts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c is < 1 or > MaxConnections)
                    {
                        throw new CliException($"--bare takes connection counts between 1 and {MaxConnections} separated by commas, not '{counts}'.");
                    }

                    list.Add(c);
                }

                await RunAgainstBareAsync(baseUri, key, list, measured, warm, parse.GetValue(seed), ct);
                return 0;
            }

            await RunHttpAsync(baseUri, key, n, measured, warm, parse.GetValue(seed), parse.GetValue(noExplain) ? "api/score?explain=false" : "api/score", ct);
            return 0;
        });
        return command;
    }

    private static async Task RunHttpAsync(Uri baseUri, string? key, int connections, TimeSpan duration, TimeSpan warmup, int seed, string scorePath, CancellationToken ct)
    {
        using var client = CreateClient(baseUri, key, connections);
        var bodies = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 512, Seed = seed })
            .Select(b => JsonSerializer.SerializeToUtf8Bytes(b.Basket, BasketJsonContext.Default.Basket))
            .ToArray();

        await CheckReachableAsync(client, ct);
        var probe = await client.PostAsync(new Uri("api/score", UriKind.Relative), Json(bodies[0]), ct);
        if (!probe.IsSuccessStatusCode)
        {
            throw new CliException($"POST /api/score answered {(int)probe.StatusCode} {probe.ReasonPhrase}: {await probe.Content.ReadAsStringAsync(ct)}");
        }

        CliConsole.WriteLine(CliConsole.Invariant($"Target {baseUri} with {connections} connections, {warmup.TotalSeconds:F0} s warm-up and {duration.TotalSeconds:F0} s measured per endpoint."));
        var score = await MeasureAsync(client, connections, duration, warmup, i => new HttpRequestMessage(HttpMethod.Post, scorePath) { Content = Json(bodies[i % bodies.Length]) }, ct);
        var health = await MeasureAsync(client, connections, duration, warmup, _ => new HttpRequestMessage(HttpMethod.Get, "api/health"), ct);
        Print("/" + scorePath.PadRight(10), score);
        Print("/api/health", health);
        CliConsole.WriteLine(CliConsole.Invariant($"score/health throughput ratio {score.Throughput / Math.Max(1, health.Throughput):F2}"));
    }

    // Alternates bare, score, score without reasons, bare at each connection count (the machine's speed drifts during a
    // run; the reference is the mean of the two bare runs around the handler's), and prints the ratios the goals use.
    /// <summary>Unmeasured load on each endpoint before a bare comparison's first run (JIT tiering of a fresh process).</summary>
    private static readonly TimeSpan FirstWarmup = TimeSpan.FromSeconds(5);

    private static async Task RunAgainstBareAsync(Uri baseUri, string? key, List<int> connectionCounts, TimeSpan duration, TimeSpan warmup, int seed, CancellationToken ct)
    {
        var bodies = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 512, Seed = seed })
            .Select(b => JsonSerializer.SerializeToUtf8Bytes(b.Basket, BasketJsonContext.Default.Basket))
            .ToArray();
        var (server, bareUri) = await BareReference.StartAsync(ct);
        try
        {
            // The bare reference is a fresh process: its first run would be tier-0 JIT code against a handler that has
            // usually served for a while (measured: its first 4-connection run at 3-7x below its second, so the first
            // connection count's ratios came out about 1.6x too kind). Both are warmed on every path first.
            var firstWarmup = warmup > FirstWarmup ? warmup : FirstWarmup;
            CliConsole.WriteLine(CliConsole.Invariant($"Handler {baseUri} against the bare reference {bareUri} (pid {server.Id}); {firstWarmup.TotalSeconds:F0} s warm-up of each first, then {warmup.TotalSeconds:F0} s warm-up and {duration.TotalSeconds:F0} s measured per run."));
            using (var warmBare = CreateClient(bareUri, null, connectionCounts[0]))
            using (var warmHandler = CreateClient(baseUri, key, connectionCounts[0]))
            {
                await CheckReachableAsync(warmHandler, ct);
                HttpRequestMessage Warm(int i, string path) => new(HttpMethod.Post, path) { Content = Json(bodies[i % bodies.Length]) };
                await MeasureAsync(warmBare, connectionCounts[0], firstWarmup, TimeSpan.Zero, i => Warm(i, "api/score"), ct);
                await MeasureAsync(warmHandler, connectionCounts[0], firstWarmup, TimeSpan.Zero, i => Warm(i, "api/score"), ct);
                await MeasureAsync(warmHandler, connectionCounts[0], firstWarmup, TimeSpan.Zero, i => Warm(i, "api/score?explain=false"), ct);
            }

            foreach (var connections in connectionCounts)
            {
                using var handlerClient = CreateClient(baseUri, key, connections);
                using var bareClient = CreateClient(bareUri, null, connections);
                await CheckReachableAsync(handlerClient, ct);
                HttpRequestMessage Score(int i, string path) => new(HttpMethod.Post, path) { Content = Json(bodies[i % bodies.Length]) };
                var bare1 = await MeasureAsync(bareClient, connections, duration, warmup, i => Score(i, "api/score"), ct);
                var score = await MeasureAsync(handlerClient, connections, duration, warmup, i => Score(i, "api/score"), ct);
                var plain = await MeasureAsync(handlerClient, connections, duration, warmup, i => Score(i, "api/score?explain=false"), ct);
                var bare2 = await MeasureAsync(bareClient, connections, duration, warmup, i => Score(i, "api/score"), ct);
                var bareRate = (bare1.Throughput + bare2.Throughput) / 2;
                var bareP99 = (bare1.P99Ms + bare2.P99Ms) / 2;
                CliConsole.WriteLine(CliConsole.Invariant($"-- {connections} connections"));
                Print("bare (before)             ", bare1);
                Print("/api/score                ", score);
                Print("/api/score?explain=false  ", plain);
                Print("bare (after)              ", bare2);
                CliConsole.WriteLine(CliConsole.Invariant($"ratio to bare at {connections} connections: with reasons {score.Throughput / bareRate:F2} x req/s, p99 {score.P99Ms / bareP99:F2} x; explain=false {plain.Throughput / bareRate:F2} x req/s, p99 {plain.P99Ms / bareP99:F2} x"));
            }
        }
        finally
        {
            server.StandardInput.Close();
            if (!server.WaitForExit(5000))
            {
                server.Kill();
            }

            server.Dispose();
        }
    }

    private static async Task RunProcessBatchAsync(Uri baseUri, string? key, int count, int seed, CancellationToken ct)
    {
        using var client = CreateClient(baseUri, key, 1);
        client.Timeout = TimeSpan.FromMinutes(10);
        await CheckReachableAsync(client, ct);
        var baskets = SyntheticBaskets.Generate(new GeneratorOptions { Rows = count, Seed = seed }).Select(b => b.Basket).ToList();
        var batchId = "loadtest-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var envelope = HostEnvelope(batchId, baskets);
        CliConsole.WriteLine(CliConsole.Invariant($"POST /ProcessBatch: one message of {count} baskets ({envelope.Length / 1024.0 / 1024.0:F1} MiB envelope), batch {batchId}"));
        var start = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(new Uri("ProcessBatch", UriKind.Relative), Json(envelope), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"ProcessBatch answered {(int)response.StatusCode}: {body}");
        }

        using var result = JsonDocument.Parse(body);
        var completion = result.RootElement.GetProperty("Outputs").GetProperty("results");
        var counts = completion.GetProperty("counts");
        CliConsole.WriteLine(CliConsole.Invariant(
            $"ProcessBatch {count} baskets in {elapsed.TotalSeconds:F2} s: {count / elapsed.TotalSeconds:F0} baskets/s; scored {counts.GetProperty("scored").GetInt32()}, flagged {counts.GetProperty("flagged").GetInt32()}, results at {completion.GetProperty("location").GetProperty("container").GetString()}/{completion.GetProperty("location").GetProperty("name").GetString()}"));
    }

    /// <summary>
    /// One batch through the claim check and ProcessBatch end to end, as <c>fraud submit</c> sends it: the body written
    /// create-only to <c>batches/incoming/</c>, the <c>{batchId, blob}</c> message in the host's envelope, then the same
    /// message delivered again a day later. Prints the times, the result rows and what the second delivery wrote.
    /// </summary>
    private static async Task RunClaimCheckBatchAsync(Uri baseUri, string? key, int count, int seed, IBlobStore store, CancellationToken ct)
    {
        using var client = CreateClient(baseUri, key, 1);
        client.Timeout = TimeSpan.FromMinutes(10);
        await CheckReachableAsync(client, ct);
        var batchId = "claimcheck-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var baskets = SyntheticBaskets.Generate(new GeneratorOptions { Rows = count, Seed = seed })
            .Select((b, i) => b.Basket with { Id = CliConsole.Invariant($"{batchId}-{i:D5}") })
            .ToList();
        var body = BatchMessages.Inline(batchId, baskets);
        var message = Encoding.UTF8.GetString(BatchMessages.ClaimCheck(batchId));
        var start = Stopwatch.GetTimestamp();
        await ClaimChecks.WriteAsync(store, batchId, body, ct);
        var upload = Stopwatch.GetElapsedTime(start);
        CliConsole.WriteLine(CliConsole.Invariant(
            $"claim check: {count} baskets ({body.Length / 1024.0 / 1024.0:F1} MiB) written to {BatchNames.ClaimCheckReference(batchId)} on {store.Description} in {upload.TotalSeconds:F2} s; message {message.Length} bytes"));

        var (first, firstTime) = await DeliverAsync(client, message, batchId, 1, DateTime.UtcNow, ct);
        var results = await store.GetAsync(Containers.Scored, BatchNames.ResultName(batchId), ct)
            ?? throw new CliException($"ProcessBatch answered but {Containers.Scored}/{BatchNames.ResultName(batchId)} is not in {store.Description}: is the handler on the same store?");
        var rows = results.Content.Span.Count((byte)'\n');
        var counts = first.GetProperty("Outputs").GetProperty("results").GetProperty("counts");
        CliConsole.WriteLine(CliConsole.Invariant(
            $"delivery 1: ProcessBatch in {firstTime.TotalSeconds:F2} s ({count / firstTime.TotalSeconds:F0} baskets/s), claim check + ProcessBatch {(upload + firstTime).TotalSeconds:F2} s; {rows} result rows, scored {counts.GetProperty("scored").GetInt32()}, flagged {counts.GetProperty("flagged").GetInt32()}"));

        // The handler writes its prediction log every few seconds: wait for the first delivery's records.
        var logged = await WaitForPredictionsAsync(store, batchId, count, ct);
        var (second, secondTime) = await DeliverAsync(client, message, batchId, 2, DateTime.UtcNow.AddDays(1), ct);
        var after = await store.GetAsync(Containers.Scored, BatchNames.ResultName(batchId), ct);
        var resultBlobs = 0;
        await foreach (var blob in store.ListAsync(Containers.Scored, batchId, ct))
        {
            resultBlobs += blob.Name.StartsWith(batchId + ".", StringComparison.Ordinal) ? 1 : 0;
        }

        await Task.Delay(TimeSpan.FromSeconds(7), ct);
        var loggedAfter = await CountPredictionsAsync(store, batchId, ct);
        var same = first.GetProperty("Outputs").GetRawText() == second.GetProperty("Outputs").GetRawText();
        CliConsole.WriteLine(CliConsole.Invariant(
            $"delivery 2 (a day later): {secondTime.TotalSeconds:F2} s; same completion: {(same ? "yes" : "NO")}; result blobs for the batch: {resultBlobs}; results blob unchanged: {(after?.ETag == results.ETag ? "yes" : "NO")}; prediction records {logged} -> {loggedAfter} (new: {loggedAfter - logged})"));
        if (!same || resultBlobs != 1 || after?.ETag != results.ETag || loggedAfter != logged)
        {
            throw new CliException("the second delivery changed something: ProcessBatch is not idempotent on this handler.");
        }
    }

    private static async Task<(JsonElement Body, TimeSpan Elapsed)> DeliverAsync(HttpClient client, string message, string messageId, int deliveryCount, DateTime enqueued, CancellationToken ct)
    {
        var envelope = HostEnvelope(message, messageId, deliveryCount, enqueued);
        var start = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(new Uri("ProcessBatch", UriKind.Relative), Json(envelope), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"ProcessBatch answered {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        var results = document.RootElement.GetProperty("Outputs").GetProperty("results");
        if (results.GetProperty("status").GetString() != "scored")
        {
            throw new CliException($"ProcessBatch did not score the batch: {results.GetRawText()}");
        }

        return (document.RootElement.Clone(), elapsed);
    }

    private static async Task<int> WaitForPredictionsAsync(IBlobStore store, string batchId, int expected, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        var logged = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            logged = await CountPredictionsAsync(store, batchId, ct);
            if (logged >= expected)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }

        return logged;
    }

    private static async Task<int> CountPredictionsAsync(IBlobStore store, string batchId, CancellationToken ct)
    {
        var count = 0;
        await foreach (var record in new PredictionLogReader(store).ReadAllAsync(ct))
        {
            count += record.Basket.Id.StartsWith(batchId, StringComparison.Ordinal) ? 1 : 0;
        }

        return count;
    }

    /// <summary>The host's Service Bus envelope: the body is a JSON string (serialised twice), metadata values too.</summary>
    private static byte[] HostEnvelope(string message, string messageId, int deliveryCount, DateTime enqueued)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Data");
            writer.WriteString("message", JsonSerializer.Serialize(message, CliJson.Default.String));
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            writer.WriteString("MessageId", JsonSerializer.Serialize(messageId, CliJson.Default.String));
            writer.WriteString("DeliveryCount", deliveryCount.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("EnqueuedTimeUtc", JsonSerializer.Serialize(enqueued.ToString("o", CultureInfo.InvariantCulture), CliJson.Default.String));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The host's Service Bus envelope: the body is a JSON string (serialised twice), metadata values too.</summary>
    internal static byte[] HostEnvelope(string batchId, List<Basket> baskets)
    {
        var message = new StringBuilder();
        message.Append("{\"batchId\":").Append(JsonSerializer.Serialize(batchId, CliJson.Default.String)).Append(",\"baskets\":")
            .Append(JsonSerializer.Serialize(baskets, BasketJsonContext.Default.ListBasket)).Append('}');
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Data");
            writer.WriteString("message", JsonSerializer.Serialize(message.ToString(), CliJson.Default.String));
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            writer.WriteString("MessageId", JsonSerializer.Serialize(batchId, CliJson.Default.String));
            writer.WriteString("DeliveryCount", "1");
            writer.WriteString("EnqueuedTimeUtc", JsonSerializer.Serialize(DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture), CliJson.Default.String));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static async Task<Measurement> MeasureAsync(
        HttpClient client, int connections, TimeSpan duration, TimeSpan warmup, Func<int, HttpRequestMessage> request, CancellationToken ct)
    {
        if (warmup > TimeSpan.Zero)
        {
            await RunWorkersAsync(client, connections, warmup, request, null, ct);
        }

        // One latency list per worker: no sharing, no locks on the measuring path.
        var latencies = new List<long>[connections];
        for (var i = 0; i < connections; i++)
        {
            latencies[i] = new List<long>(capacity: 65_536);
        }

        var (elapsed, errors) = await RunWorkersAsync(client, connections, duration, request, latencies, ct);
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new Measurement(all.Length, errors, elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task<(TimeSpan Elapsed, long Errors)> RunWorkersAsync(
        HttpClient client, int connections, TimeSpan duration, Func<int, HttpRequestMessage> request, List<long>[]? latencies, CancellationToken ct)
    {
        long errors = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var i = w;
            while (Stopwatch.GetTimestamp() < end && !ct.IsCancellationRequested)
            {
                using var message = request(i++);
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
                    var t1 = Stopwatch.GetTimestamp();
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }

                    latencies?[w].Add(t1 - t0);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        return (Stopwatch.GetElapsedTime(start), errors);
    }

    private static double Percentile(long[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)] * 1000.0 / Stopwatch.Frequency;

    private static void Print(string name, Measurement m) => CliConsole.WriteLine(CliConsole.Invariant(
        $"{name}  {m.Requests,8} ok, {m.Errors} errors, {m.Throughput,9:F0} req/s, p50 {m.P50Ms:F2} ms, p99 {m.P99Ms:F2} ms"));

    private static HttpClient CreateClient(Uri baseUri, string? key, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(key))
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        return client;
    }

    private static async Task CheckReachableAsync(HttpClient client, CancellationToken ct)
    {
        try
        {
            using var response = await client.GetAsync(new Uri("/", UriKind.Relative), ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach {client.BaseAddress}: {ex.Message} (start it with: dotnet run --project functions/FraudFunctions -c Release)");
        }
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static Uri LoopbackUri(string? text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"--url must be an absolute http(s) URL, not '{text}'.");
        }

        // A load generator pointed at someone else's server is an attack; this one only measures a local handler.
        if (!uri.IsLoopback && !(IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
        {
            throw new CliException($"--url must point at this machine (127.0.0.1 or localhost), not {uri.Host}.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static TimeSpan ParseDuration(string? text, string option, bool allowZero = false)
    {
        var value = text?.Trim() ?? string.Empty;
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : (value, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount))
        {
            throw new CliException($"{option} must be a duration such as 10s or 1m, not '{text}'.");
        }

        var span = TimeSpan.FromSeconds(amount * unit);
        if (span > MaxDuration || span < TimeSpan.Zero || (!allowZero && span < TimeSpan.FromSeconds(1)))
        {
            throw new CliException($"{option} must be between {(allowZero ? "0s" : "1s")} and 2m, not '{text}'.");
        }

        return span;
    }

    private sealed record Measurement(long Requests, long Errors, TimeSpan Elapsed, double P50Ms, double P99Ms)
    {
        public double Throughput => Requests / Elapsed.TotalSeconds;
    }
}

/// <summary>Source-generated metadata for the few plain values the load test serialises.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CliJson : System.Text.Json.Serialization.JsonSerializerContext;
