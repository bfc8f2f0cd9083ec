using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FraudFunctions.Tests;

/// <summary>Hostile callers: open doors, disclosure and log injection (issue 14).</summary>
[Collection(HandlerTests.Name)]
public sealed class HardeningTests(TrainedStore trained)
{
    private const string Key = "s3cret-hardening-key";

    [Fact]
    public async Task ProcessBatchAndMonitorModelNeedTheKeyWhenOneIsConfigured()
    {
        using var keyed = new HandlerFactory(trained.Copy(), ("Fraud:ApiKey", Key));
        using var client = keyed.CreateClient();
        var batch = Envelopes.ServiceBus(Envelopes.Batch("open-door", 3), "msg-open-door", 1);

        using var batchWithout = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(batch));
        using var monitorWithout = await client.PostAsync(new Uri("/MonitorModel", UriKind.Relative), Samples.Json(Envelopes.Timer()));
        using var batchWith = new HttpRequestMessage(HttpMethod.Post, "/ProcessBatch") { Content = Samples.Json(batch) };
        batchWith.Headers.Add("x-api-key", Key);
        using var batchWithResponse = await client.SendAsync(batchWith);

        Assert.Equal(HttpStatusCode.Unauthorized, batchWithout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, monitorWithout.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(keyed.Storage, "runs")), "MonitorModel ran without the key");
        Assert.Equal(HttpStatusCode.OK, batchWithResponse.StatusCode);
        Assert.True(File.Exists(Path.Combine(keyed.Storage, "scored", "open-door.jsonl")));
    }

    [Fact]
    public async Task AnonymousHealthSaysTheStatusOnlyAndTheDetailsNeedTheKey()
    {
        using var keyed = new HandlerFactory(trained.Copy(), ("Fraud:ApiKey", Key));
        using var client = keyed.CreateClient();

        using var anonymous = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        var text = await anonymous.Content.ReadAsStringAsync();
        using var detailsWithout = await client.GetAsync(new Uri("/api/health/details", UriKind.Relative));
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/api/health/details");
        withKey.Headers.Add("x-api-key", Key);
        using var details = await client.SendAsync(withKey);
        var report = await details.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        using (var body = JsonDocument.Parse(text))
        {
            Assert.Equal(["status"], body.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        }

        Assert.DoesNotContain(keyed.Storage, text, StringComparison.Ordinal);
        Assert.DoesNotContain("version", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, detailsWithout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
        Assert.Equal("1", report.GetProperty("model").GetProperty("version").GetString());
        Assert.Contains(keyed.Storage, report.GetProperty("store").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlCharactersOfAMessageIdAreEscapedInTheInvocationLogs()
    {
        using var factory = new HandlerFactory(trained.Copy());
        using var client = factory.CreateClient();
        var forged = "m-1\r\n2026-11-20 ERROR forged trace line\u2028and\u0085more";

        using var response = await client.PostAsync(
            new Uri("/ProcessBatch", UriKind.Relative),
            Samples.Json(Envelopes.ServiceBus("this is not json", forged, 1)));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var logs = body.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(logs);
        foreach (var log in logs)
        {
            Assert.DoesNotContain(log, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        }

        Assert.Contains(logs, l => l.Contains(@"m-1\r\n2026-11-20 ERROR forged trace line\u2028and\u0085more", StringComparison.Ordinal));
    }
}
