using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;
using Fraud.Monitoring;
using Fraud.Registry;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud simulate</c>: sends a scenario's generated baskets to a running handler (<c>--url</c>), or scores them
/// in-process with the store's champion straight into the prediction log (<c>--store</c>), optionally with their labels.
/// </summary>
internal static class SimulateCommand
{
    private const int MaxCount = 5_000_000;
    private const int LabelChunk = 10_000;

    public static Command Create()
    {
        var scenario = new Option<string>("--scenario") { Description = "standard, attack (fraud rate x10) or drift (shifted population).", Required = true };
        var url = new Option<string?>("--url") { Description = "Base URL of a running handler, such as http://127.0.0.1:7071." };
        var store = MonitoringCli.StoreOption();
        store.Description = "Score in-process with this store's champion and write the prediction log directly (instead of --url).";
        var modelName = MonitoringCli.ModelNameOption();
        var count = new Option<int>("--count", "-n") { Description = "Baskets to send.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Generator seed (ids are unique per seed; use one the training data did not).", DefaultValueFactory = _ => 1001 };
        var batchSize = new Option<int>("--batch-size") { Description = "Baskets per request; 1 posts each to /api/score, more use /api/score/batch.", DefaultValueFactory = _ => 200 };
        var labels = new Option<bool>("--labels") { Description = "Also send each basket's generated label (POST /api/labels, or the label store)." };
        var apiKey = new Option<string?>("--api-key") { Description = "x-api-key for a standalone handler started with Fraud__ApiKey (or set FRAUD_API_KEY)." };

        var command = new Command("simulate", "Send generated traffic (standard, fraud attack or drifted population) to a running handler or straight into the store's prediction log.");
        foreach (var option in new Option[] { scenario, url, store, modelName, count, seed, batchSize, labels, apiKey })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, ct) =>
        {
            var kind = ScenarioTraffic.Parse(parseResult.GetValue(scenario))
                ?? throw new CliException($"--scenario must be standard, attack or drift, not '{parseResult.GetValue(scenario)}'.");
            var n = parseResult.GetValue(count);
            if (n is < 1 or > MaxCount)
            {
                throw new CliException($"--count must be between 1 and {MaxCount}, not {n}.");
            }

            var size = parseResult.GetValue(batchSize);
            if (size is < 1 or > 10_000)
            {
                throw new CliException($"--batch-size must be between 1 and 10000, not {size}.");
            }

            var target = parseResult.GetValue(url);
            var storeSpec = parseResult.GetValue(store);
            if ((target is null) == (storeSpec is null))
            {
                throw new CliException("Give exactly one of --url (a running handler) or --store (score in-process).");
            }

            var traffic = ScenarioTraffic.Generate(kind, n, parseResult.GetValue(seed)).ToList();
            var clock = Stopwatch.StartNew();
            var tally = target is not null
                ? await PostAsync(ParseUrl(target), parseResult.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("FRAUD_API_KEY"), traffic, size, parseResult.GetValue(labels), ct)
                : await ScoreInProcessAsync(storeSpec!, parseResult.GetValue(modelName), traffic, parseResult.GetValue(labels), ct);
            clock.Stop();

            var frauds = traffic.Count(t => t.IsFraud);
            CliConsole.WriteLine(CliConsole.Invariant($"Scenario {kind.ToString().ToLowerInvariant()}: {traffic.Count} baskets, generated fraud rate {Percent.Format(frauds / (double)traffic.Count)}, model {tally.ModelVersion}"));
            CliConsole.WriteLine(CliConsole.Invariant($"decisions: approve {tally.Approve}, review {tally.Review}, decline {tally.Decline}; mean probability {tally.ProbabilitySum / traffic.Count:P2}"));
            if (tally.Labels > 0)
            {
                CliConsole.WriteLine(CliConsole.Invariant($"labels sent: {tally.Labels}"));
            }

            CliConsole.WriteLine(CliConsole.Invariant($"elapsed {clock.Elapsed.TotalSeconds:F2} s ({traffic.Count / clock.Elapsed.TotalSeconds:F0} baskets/s)"));
            return 0;
        });
        return command;
    }

    private static Uri ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"--url must be an absolute http(s) URL, not '{text}'.");
        }

        return uri;
    }

    private static async Task<Tally> PostAsync(Uri baseUri, string? apiKey, List<SyntheticBasket> traffic, int size, bool sendLabels, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(100) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        var tally = new Tally();
        for (var start = 0; start < traffic.Count; start += size)
        {
            var chunk = traffic.GetRange(start, Math.Min(size, traffic.Count - start));
            var body = size == 1 ? JsonSerializer.SerializeToUtf8Bytes(chunk[0].Basket, BasketJsonContext.Default.Basket) : BatchBody(chunk);
            using var json = await SendAsync(http, size == 1 ? "api/score" : "api/score/batch", body, ct);
            var root = json.RootElement;
            if (size == 1)
            {
                tally.Add(root);
            }
            else
            {
                foreach (var result in root.GetProperty("results").EnumerateArray())
                {
                    tally.Add(result);
                }
            }
        }

        if (sendLabels)
        {
            var now = DateTimeOffset.UtcNow;
            for (var start = 0; start < traffic.Count; start += LabelChunk)
            {
                var chunk = traffic.GetRange(start, Math.Min(LabelChunk, traffic.Count - start));
                using var answer = await SendAsync(http, "api/labels", LabelsBody(chunk, now), ct);
                tally.Labels += chunk.Count;
            }
        }

        return tally;
    }

    private static async Task<JsonDocument> SendAsync(HttpClient http, string path, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(path, content, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach {http.BaseAddress}{path}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"{http.BaseAddress}{path} did not answer within {http.Timeout.TotalSeconds:F0} s.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"{path} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(text)}");
            }

            try
            {
                return JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                throw new CliException($"{path} answered with something that is not JSON: {Shorten(text)}");
            }
        }
    }

    private static byte[] BatchBody(List<SyntheticBasket> chunk)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("baskets");
            foreach (var item in chunk)
            {
                JsonSerializer.Serialize(writer, item.Basket, BasketJsonContext.Default.Basket);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] LabelsBody(List<SyntheticBasket> chunk, DateTimeOffset observedAt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in chunk)
            {
                writer.WriteStartObject();
                writer.WriteString("id", item.Basket.Id);
                writer.WriteBoolean("fraudFlag", item.IsFraud);
                writer.WriteString("source", "simulate");
                writer.WriteString("observedAt", observedAt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static async Task<Tally> ScoreInProcessAsync(string storeSpec, string? modelName, List<SyntheticBasket> traffic, bool sendLabels, CancellationToken ct)
    {
        var blobStore = MonitoringCli.OpenStore(storeSpec);
        var registry = new ModelRegistry(blobStore, modelName ?? ModelRegistry.DefaultModelName);
        var (model, _, version) = await MonitoringCli.LoadModelAsync(registry, null, ct);
        var tally = new Tally { ModelVersion = version };
        var now = DateTimeOffset.UtcNow;
        var baskets = traffic.ConvertAll(t => t.Basket);
        var probabilities = new double[baskets.Count];
        model.ScoreMany(baskets, probabilities, 0);
        await using (var log = new BufferedPredictionLog(blobStore, new PredictionLogOptions { Capacity = Math.Max(traffic.Count, 1), MaxBufferBytes = long.MaxValue, FlushInterval = TimeSpan.FromMinutes(10) }))
        {
            for (var i = 0; i < baskets.Count; i++)
            {
                var decision = model.Thresholds.Decide(probabilities[i]);
                tally.Add(decision, probabilities[i]);
                log.TryWrite(new PredictionRecord(baskets[i], probabilities[i], decision, version, now, "simulate"));
            }

            await log.FlushAsync(ct);
        }

        if (sendLabels)
        {
            var labels = traffic.ConvertAll(t => new FraudLabel(t.Basket.Id, t.IsFraud, "simulate", now));
            await new LabelStore(blobStore).AppendAsync(labels, ct);
            tally.Labels = labels.Count;
        }

        return tally;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private sealed class Tally
    {
        public string ModelVersion { get; set; } = "?";

        public int Approve { get; private set; }

        public int Review { get; private set; }

        public int Decline { get; private set; }

        public double ProbabilitySum { get; private set; }

        public int Labels { get; set; }

        public void Add(Decision decision, double probability)
        {
            ProbabilitySum += probability;
            switch (decision)
            {
                case Decision.Decline:
                    Decline++;
                    break;
                case Decision.Review:
                    Review++;
                    break;
                default:
                    Approve++;
                    break;
            }
        }

        public void Add(JsonElement result)
        {
            if (result.TryGetProperty("modelVersion", out var version) && version.ValueKind == JsonValueKind.String)
            {
                ModelVersion = version.GetString() ?? ModelVersion;
            }

            var probability = result.TryGetProperty("fraudProbability", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 0;
            var decision = result.TryGetProperty("decision", out var d) && Enum.TryParse<Decision>(d.GetString(), true, out var parsed) ? parsed : Decision.Approve;
            Add(decision, probability);
        }
    }
}
