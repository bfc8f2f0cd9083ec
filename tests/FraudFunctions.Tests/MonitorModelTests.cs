using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FraudFunctions.Tests;

[Collection(HandlerTests.Name)]
public sealed class MonitorModelTests(TrainedStore trained) : IDisposable
{
    private readonly HandlerFactory _factory = new(trained.Copy());

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task RunsTheMonitoringJobOnTheTimersEnvelopeAndShowsItOnTheStats()
    {
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync(new Uri("/MonitorModel", UriKind.Relative), Samples.Json(Envelopes.Timer(pastDue: true)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        var outcome = body.GetProperty("ReturnValue").GetProperty("outcome").GetString();
        Assert.False(string.IsNullOrEmpty(outcome));
        Assert.Contains("past due", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);

        var stats = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));
        Assert.Equal(outcome, stats.GetProperty("lastMonitoring").GetProperty("outcome").GetString());
        Assert.True(Directory.EnumerateFiles(Path.Combine(_factory.Storage, "runs"), "*", SearchOption.AllDirectories).Any(), "the monitoring run was not tracked");
    }

    [Fact]
    public async Task TheRetrainingCapSettingReachesTheMonitoringRun()
    {
        using var capped = new HandlerFactory(trained.Copy(), ("Fraud:MaxTrainingRows", "2500"));
        using var client = capped.CreateClient();
        using var response = await client.PostAsync(new Uri("/MonitorModel", UriKind.Relative), Samples.Json(Envelopes.Timer()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runs = await new Fraud.Registry.RunTracker(Fraud.Registry.Storage.BlobStoreFactory.Create(capped.Storage)).ListAsync();
        var monitoring = Assert.Single(runs, r => r.Kind == Fraud.Monitoring.MonitoringJob.RunKind);
        Assert.Equal("2500", monitoring.Parameters["max_training_rows"]);
    }

    [Fact]
    public async Task ShowsTheLastTrackedMonitoringRunAfterARestart()
    {
        string? outcome;
        using (var client = _factory.CreateClient())
        {
            using var response = await client.PostAsync(new Uri("/MonitorModel", UriKind.Relative), Samples.Json(Envelopes.Timer()));
            outcome = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ReturnValue").GetProperty("outcome").GetString();
        }

        await _factory.DisposeAsync();
        using var restarted = new HandlerFactory(_factory.Storage);
        using var again = restarted.CreateClient();
        JsonElement last = default;
        for (var attempt = 0; attempt < 50 && last.ValueKind != JsonValueKind.Object; attempt++)
        {
            var stats = await again.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));
            if (!stats.TryGetProperty("lastMonitoring", out last))
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(JsonValueKind.Object, last.ValueKind);
        Assert.Equal(outcome, last.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task ShowsAMonitoringRunThatAnotherProcessTrackedWhileItRuns()
    {
        using var client = _factory.CreateClient();
        var before = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));
        Assert.False(before.TryGetProperty("lastMonitoring", out _), "the trained store has no monitoring run yet");

        // `fraud monitor` (another process) tracks a run in the same store while the handler is serving.
        var tracker = new Fraud.Registry.RunTracker(Fraud.Registry.Storage.BlobStoreFactory.Create(_factory.Storage));
        var run = await tracker.StartRunAsync(Fraud.Monitoring.MonitoringJob.RunKind);
        run.SetTag("decision", "no-action");
        run.SetTag("reason", "drift ok (from fraud monitor)");
        run.SetTag("champion", "1");
        run.LogMetric("drift_score_psi", 0.012);
        await run.CompleteAsync();

        JsonElement last = default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var stats = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative));
            if (stats.TryGetProperty("lastMonitoring", out last))
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.Equal(JsonValueKind.Object, last.ValueKind);
        Assert.Equal("no-action", last.GetProperty("outcome").GetString());
        Assert.Equal("drift ok (from fraud monitor)", last.GetProperty("detail").GetString());
        Assert.Equal(0.012, last.GetProperty("scorePsi").GetDouble(), 6);
    }

    [Fact]
    public async Task CountsScoringRequestsInTheFraudScoringMeter()
    {
        long requests = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Fraud.Scoring" && instrument.Name == "fraud.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref requests, value));
        listener.Start();

        using var client = _factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket($"m{i}")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, Interlocked.Read(ref requests));
    }
}
