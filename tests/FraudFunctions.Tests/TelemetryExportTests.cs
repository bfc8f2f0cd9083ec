using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using Fraud.Monitoring.Telemetry;
using Fraud.Testing;
using FraudFunctions.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FraudFunctions.Tests;

// The handler's telemetry as Application Insights would ingest it: the connection string's IngestionEndpoint points at a
// loopback listener, which records every envelope the Azure Monitor exporter posts. Nothing leaves the machine: the
// exporter's own statistics (statsbeat / SDK stats, which go to Microsoft and probe the instance metadata address) are
// switched off for the whole test process before any exporter starts, and live metrics are off in the handler.
[Collection(TelemetryTests.Name)]
public sealed class TelemetryExportTests(TrainedStore trained)
{
    static TelemetryExportTests()
    {
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true");
    }

    /// <summary>Where the test writes the envelopes it received, for the record (docs/monitoring.md quotes them).</summary>
    private static string SamplesFolder => Path.Combine(AppContext.BaseDirectory, "telemetry-samples");

    [Fact]
    public async Task ARequestAMetricAndACustomEventArriveInTheShapeApplicationInsightsIngests()
    {
        using var ingestion = new IngestionListener();
        // A fresh key per run: the exporter keeps unsent items on disk per key and retransmits them later.
        var key = Guid.NewGuid().ToString();
        var connection = $"InstrumentationKey={key};IngestionEndpoint={ingestion.Url};LiveEndpoint={ingestion.Url}";
        var factory = new HandlerFactory(trained.Copy(), (TelemetrySettings.ConnectionStringKey, connection));
        try
        {
            using var client = factory.CreateClient();
            // Resolved before the request, so their listeners exist when its server span starts.
            var tracing = factory.Services.GetRequiredService<TracerProvider>();
            var metering = factory.Services.GetRequiredService<MeterProvider>();
            var logging = factory.Services.GetRequiredService<LoggerProvider>();
            // Two requests: in a fresh test process the instrumentation's listener can miss the very first request
            // (it subscribes to ASP.NET Core's diagnostics asynchronously), which a real instance never notices.
            foreach (var id in new[] { "telemetry-1", "telemetry-2" })
            {
                using var scored = await client.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket(id)));
                Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
            }
            // Export now instead of waiting for the batch and 60-second metric intervals; logs follow at shutdown.
            Assert.True(tracing.ForceFlush(30_000));
            Assert.True(metering.ForceFlush(30_000));
            // Logs (custom events) too: left to the shutdown flush alone, the ModelLoaded event went missing on a busy machine.
            Assert.True(logging.ForceFlush(30_000));
        }
        finally
        {
            await factory.DisposeAsync();
        }

        var envelopes = ingestion.Envelopes.Where(e => e.GetProperty("iKey").GetString() == key).ToList();
        var received = string.Join(", ", envelopes.Select(e => $"{Name(e)}:{(BaseData(e).TryGetProperty("name", out var n) ? n.GetString() : null)}"));
        // Request envelopes are asserted by ARunningHandlerExportsEveryScoringRequestIncludingItsFirst, against the handler
        // in its own process. Under the in-memory TestServer they are unreliable even with this test run alone: the same
        // test received 0, 1 or 2 of its 2 request spans over repeated runs, although both spans were sampled and
        // recorded (traced with an ActivityListener, the SDK's EventSource and a probe middleware: no suppression scope,
        // all processors present before the first request). The real process exported 5 of 5, first request included,
        // in every run.
        Assert.True(envelopes.Count > 0, $"received ({ingestion.Envelopes.Count} in all): {received}");

        var metrics = envelopes.Where(e => Name(e) == "Metric").ToList();
        var decisions = Assert.Single(metrics.SelectMany(m => BaseData(m).GetProperty("metrics").EnumerateArray().Select(p => (Envelope: m, Point: p))), x => x.Point.GetProperty("name").GetString() == FraudMetrics.Decisions);
        Assert.Equal("MetricData", decisions.Envelope.GetProperty("data").GetProperty("baseType").GetString());
        Assert.Equal(2, decisions.Point.GetProperty("value").GetDouble());
        Assert.True(BaseData(decisions.Envelope).GetProperty("properties").TryGetProperty(FraudMetrics.DecisionTag, out _));

        // The first champion's load is announced as a custom event (AppEvents), from the log record's microsoft.custom_event.name.
        var loaded = Assert.Single(envelopes, e => Name(e) == "Event" && BaseData(e).GetProperty("name").GetString() == FraudMetrics.ModelLoadedEvent);
        Assert.Equal("EventData", loaded.GetProperty("data").GetProperty("baseType").GetString());
        Assert.Equal("1", BaseData(loaded).GetProperty("properties").GetProperty("version").GetString());

        // No basket contents anywhere in what was sent.
        // Whole tokens only: the price 1299 also occurs inside timestamps (".1981299Z"), which made this check flaky.
        foreach (var secret in new[] { "MacBook", "Apple", "23900150", "1299" })
        {
            Assert.DoesNotMatch($"(?<![0-9A-Za-z.]){secret}(?![0-9A-Za-z])", ingestion.RawText);
        }

        Directory.CreateDirectory(SamplesFolder);
        await File.WriteAllTextAsync(Path.Combine(SamplesFolder, "custom-event.json"), loaded.GetRawText());
        await File.WriteAllTextAsync(Path.Combine(SamplesFolder, "metric.json"), decisions.Envelope.GetRawText());
    }

    [Fact]
    public async Task ARunningHandlerExportsEveryScoringRequestIncludingItsFirst()
    {
        // The handler as it runs on an instance: its own process, Kestrel on a real port, the batch exporter on its own
        // schedule (no ForceFlush from a test). Every scoring request must arrive as a Request envelope, the first
        // one after start included, without the exporter holding up the answers.
        using var ingestion = new IngestionListener();
        var key = Guid.NewGuid().ToString();
        var connection = $"InstrumentationKey={key};IngestionEndpoint={ingestion.Url};LiveEndpoint={ingestion.Url}";
        using var folder = new TempDirectory("fraud-telemetry-process");
        using var handler = await StartHandlerAsync(folder, connection);

        using var http = new HttpClient { BaseAddress = handler.BaseAddress };
        const int Requests = 5;
        for (var i = 0; i < Requests; i++)
        {
            using var scored = await http.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket($"process-{i}")));
            Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        }

        // The batch exporter sends every 5 seconds; give it several rounds on a loaded machine.
        List<JsonElement> requests = [];
        for (var waited = 0; waited < 60 && requests.Count < Requests; waited++)
        {
            await Task.Delay(1000);
            requests = ScoringRequests(ingestion, key);
        }

        var received = string.Join(", ", ingestion.Envelopes.Select(e => $"{Name(e)}:{(BaseData(e).TryGetProperty("name", out var n) ? n.GetString() : null)}"));
        Assert.True(requests.Count == Requests, $"{requests.Count} of {Requests} scoring requests arrived as Request envelopes; received: {received}");
        Assert.All(requests, r => Assert.Equal("RequestData", r.GetProperty("data").GetProperty("baseType").GetString()));
        Assert.All(requests, r => Assert.Equal("200", BaseData(r).GetProperty("responseCode").GetString()));
        Assert.All(requests, r => Assert.True(BaseData(r).GetProperty("success").GetBoolean()));

        Directory.CreateDirectory(SamplesFolder);
        await File.WriteAllTextAsync(Path.Combine(SamplesFolder, "request.json"), requests[0].GetRawText());
    }

    [Fact]
    public async Task ScoringAnswersWhileTheIngestionEndpointHangs()
    {
        // An ingestion endpoint that accepts the exporter's connection, reads its post and never answers: the export is
        // stuck in flight. Scoring requests made while it hangs must still be answered (the exporter batches on its own
        // thread; a request only enqueues its span). The client's 10-second limit only detects a hang, it is no speed figure.
        using var stalled = new StalledEndpoint();
        var connection = $"InstrumentationKey={Guid.NewGuid()};IngestionEndpoint={stalled.Url};LiveEndpoint={stalled.Url}";
        using var folder = new TempDirectory("fraud-telemetry-stalled");
        using var handler = await StartHandlerAsync(folder, connection);
        using var http = new HttpClient { BaseAddress = handler.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        using (var first = await http.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket("stalled-first"))))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // Wait until the exporter's post is in flight and hanging.
        for (var waited = 0; waited < 60 && stalled.PostsHanging == 0; waited++)
        {
            await Task.Delay(500);
        }

        Assert.True(stalled.PostsHanging > 0, "the exporter never reached the ingestion endpoint");
        for (var i = 0; i < 20; i++)
        {
            using var scored = await http.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket($"stalled-{i}")));
            Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        }

        Assert.True(stalled.PostsHanging > 0, "the hanging export was answered after all, so the test proved nothing");
        Assert.False(handler.HasExited);
    }

    /// <summary>The handler executable with a trained store, exporting to <paramref name="connection"/>'s ingestion endpoint.</summary>
    private async Task<HandlerProcess> StartHandlerAsync(TempDirectory folder, string connection)
    {
        var handler = HandlerProcess.Start(
            folder.Path,
            LoopbackPort.Free(),
            ("FraudStorage", trained.Copy()),
            (TelemetrySettings.ConnectionStringKey, connection),
            ("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true"),
            ("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true"));
        if (!await handler.WaitReadyAsync(TimeSpan.FromSeconds(60)))
        {
            var output = handler.Describe();
            handler.Dispose();
            Assert.Fail(output);
        }

        return handler;
    }

    private static List<JsonElement> ScoringRequests(IngestionListener ingestion, string key) =>
        [.. ingestion.Envelopes.Where(e => e.GetProperty("iKey").GetString() == key && Name(e) == "Request" && BaseData(e).GetProperty("name").GetString() == "POST /api/score")];

    [Fact]
    public async Task WithNoDestinationConfiguredNothingIsRegisteredAndScoringWorks()
    {
        await using var factory = new HandlerFactory(trained.Copy());
        using var client = factory.CreateClient();
        using var scored = await client.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket("telemetry-2")));

        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
        // The meter still exists for dotnet-counters.
        Assert.Equal(FraudMetrics.MeterName, factory.Services.GetRequiredService<FraudMetrics>().Meter.Name);
    }

    [Fact]
    public async Task ApplicationInsightsUsesEntraIdKeepsEveryTraceAndNeverSamplesLogsAway()
    {
        using var ingestion = new IngestionListener();
        var connection = $"InstrumentationKey=00000000-0000-0000-0000-000000000002;IngestionEndpoint={ingestion.Url}";
        await using var factory = new HandlerFactory(
            trained.Copy(),
            (TelemetrySettings.ConnectionStringKey, connection),
            (TelemetrySettings.AuthenticationStringKey, "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD"));

        var options = factory.Services.GetRequiredService<IOptionsMonitor<AzureMonitorOptions>>().Get(Options.DefaultName);

        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(options.Credential);
        // A rate below 1 decides before the outcome is known and could drop a failed request.
        Assert.Equal(1.0F, options.SamplingRatio);
        Assert.Null(options.TracesPerSecond);
        Assert.False(options.EnableTraceBasedLogsSampler);
        Assert.False(options.EnableLiveMetrics);
    }

    private static string? Name(JsonElement envelope) => envelope.GetProperty("name").GetString();

    private static JsonElement BaseData(JsonElement envelope) => envelope.GetProperty("data").GetProperty("baseData");

    /// <summary>A loopback HTTP endpoint that answers the ingestion API (<c>POST /v2.1/track</c>) and keeps what it got.</summary>
    /// <summary>Accepts connections and reads what arrives, never answering: an ingestion endpoint that hangs.</summary>
    private sealed class StalledEndpoint : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];
        private readonly CancellationTokenSource _stop = new();
        private int _hanging;

        public StalledEndpoint()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
            _ = Task.Run(AcceptAsync);
        }

        public string Url { get; }

        /// <summary>Connections that sent a request line and are waiting for an answer that never comes.</summary>
        public int PostsHanging => Volatile.Read(ref _hanging);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_clients)
            {
                foreach (var client in _clients)
                {
                    client.Dispose();
                }
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                lock (_clients)
                {
                    _clients.Add(client);
                }

                _ = Task.Run(() => DrainAsync(client));
            }
        }

        private async Task DrainAsync(TcpClient client)
        {
            var buffer = new byte[8192];
            var counted = false;
            try
            {
                var stream = client.GetStream();
                while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                {
                    if (!counted && Encoding.ASCII.GetString(buffer).StartsWith("POST ", StringComparison.Ordinal))
                    {
                        counted = true;
                        Interlocked.Increment(ref _hanging);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private sealed class IngestionListener : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<JsonElement> _envelopes = [];
        private readonly StringBuilder _raw = new();
        private readonly Task _loop;

        public IngestionListener()
        {
            var port = LoopbackPort.Free();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public IReadOnlyList<JsonElement> Envelopes
        {
            get
            {
                lock (_envelopes)
                {
                    return [.. _envelopes];
                }
            }
        }

        public string RawText
        {
            get
            {
                lock (_envelopes)
                {
                    return _raw.ToString();
                }
            }
        }

        public void Dispose()
        {
            _listener.Close();
            _ = _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                Stream body = context.Request.InputStream;
                if (string.Equals(context.Request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
                {
                    body = new GZipStream(body, CompressionMode.Decompress);
                }

                using var reader = new StreamReader(body, Encoding.UTF8);
                var text = await reader.ReadToEndAsync();
                var count = 0;
                lock (_envelopes)
                {
                    _raw.AppendLine(text);
                    foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        _envelopes.Add(JsonDocument.Parse(line).RootElement.Clone());
                        count++;
                    }
                }

                var answer = Encoding.UTF8.GetBytes($$"""{"itemsReceived":{{count}},"itemsAccepted":{{count}},"errors":[]}""");
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
        }

    }
}
