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
        // The scored/ name is the batch id's (no enqueue date since batch ids are claimed once, issue 13).
        Assert.True(File.Exists(Path.Combine(keyed.Storage, "scored", "open-door.jsonl")));
    }

    [Fact]
    public async Task EveryKeyedEndpointAnswersAProblemWithoutTheKeyAndScoresWithIt()
    {
        // The key check is added per endpoint when the key is configured, and not at all when it is not (docs/performance.md,
        // "Fifth round"): every endpoint of the keyed groups must still refuse a request without it, with the same answer.
        using var keyed = new HandlerFactory(trained.Copy(), ("Fraud:ApiKey", Key));
        using var client = keyed.CreateClient();
        var basket = Samples.Basket("keyed-everywhere");
        (string Path, string Body)[] calls =
        [
            ("/api/score", basket),
            ("/api/score?explain=false", basket),
            ("/api/score/batch", $$"""{"baskets":[{{basket}}]}"""),
            ("/api/labels", """[{"id":"keyed-everywhere","fraudFlag":true,"source":"chargeback","observedAt":"2026-11-20T09:30:00Z"}]"""),
        ];

        foreach (var (path, body) in calls)
        {
            using var without = await client.PostAsync(new Uri(path, UriKind.Relative), Samples.Json(body));
            Assert.True(without.StatusCode == HttpStatusCode.Unauthorized, $"{path} without the key: {(int)without.StatusCode}");
            Assert.Equal("application/problem+json", without.Content.Headers.ContentType?.MediaType);
            var problem = await without.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("A valid API key is required.", problem.GetProperty("title").GetString());
        }

        using var scored = new HttpRequestMessage(HttpMethod.Post, "/api/score?explain=false") { Content = Samples.Json(basket) };
        scored.Headers.Add("x-api-key", Key);
        using var scoredResponse = await client.SendAsync(scored);
        var score = await scoredResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, scoredResponse.StatusCode);
        Assert.Equal("keyed-everywhere", score.GetProperty("id").GetString());
        Assert.False(score.TryGetProperty("reasons", out _));
    }

    [Fact]
    public async Task WithoutAConfiguredKeyEveryEndpointAnswersWithoutOne()
    {
        using var open = new HandlerFactory(trained.Copy());
        using var client = open.CreateClient();

        using var scored = await client.PostAsync(new Uri("/api/score?explain=false", UriKind.Relative), Samples.Json(Samples.Basket("no-key")));
        using var details = await client.GetAsync(new Uri("/api/health/details", UriKind.Relative));
        using var monitor = await client.PostAsync(new Uri("/MonitorModel", UriKind.Relative), Samples.Json(Envelopes.Timer()));

        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
        Assert.Equal(HttpStatusCode.OK, monitor.StatusCode);
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

    // Inputs the fraud-chaos fuzz answered with 500 (issue 14): invalid UTF-8 inside a string, a lone surrogate
    // escape, a number too large for a double. Each is the caller's mistake: 400, or a rejected batch line.
    public static TheoryData<string, string, string> BrokenText => new()
    {
        { "/api/score", "invalid UTF-8 in a field name", "{\"id\":\"u1\",\"n\xF1me\":1,\"items\":[{\"item\":\"Computers\",\"cashPrice\":10,\"quantity\":1}]}" },
        { "/api/score", "invalid UTF-8 in a value", "{\"id\":\"u\xB8\xAE\",\"items\":[{\"item\":\"Computers\",\"cashPrice\":10,\"quantity\":1}]}" },
        { "/api/score", "a lone surrogate in a field name", "{\"id\":\"u2\",\"\\ud800\":1,\"items\":[{\"item\":\"Computers\",\"cashPrice\":10,\"quantity\":1}]}" },
        { "/api/score/batch", "invalid UTF-8 in a nested name", "[{\"id\":\"u3\",\"items\":[{\"it\xA4m\":\"Computers\",\"cashPrice\":10,\"quantity\":1}]}]" },
        { "/api/labels", "a lone surrogate in a time", "[{\"id\":\"u4\",\"fraudFlag\":true,\"source\":\"chargeback\",\"observedAt\":\"2026-11-20T09:00:00\\udc00Z\"}]" },
        { "/ProcessBatch", "invalid UTF-8 in the MessageId", "{\"Data\":{\"message\":\"{}\"},\"Metadata\":{\"MessageId\":\"m\x92\"}}" },
    };

    [Theory]
    [MemberData(nameof(BrokenText))]
    public async Task TextThatIsNotUnicodeIsA400NotA500(string path, string what, string latin1Body)
    {
        using var factory = new HandlerFactory(trained.Copy());
        using var client = factory.CreateClient();
        // The body's chars are its bytes (Latin-1), so \xF1 stays the single invalid byte 0xF1.
        using var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes(latin1Body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("body", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a price too large for a double", "\"cashPrice\":1e309")]
    [InlineData("a lone surrogate in the batch id", "\"cashPrice\":10")]
    public async Task ABatchMessageWithBrokenValuesIsAnsweredNotA500(string what, string price)
    {
        using var factory = new HandlerFactory(trained.Copy());
        using var client = factory.CreateClient();
        var batchId = what.Contains("surrogate", StringComparison.Ordinal) ? "b-\\ud800" : "b-inf";
        var message = $$"""{"batchId":"{{batchId}}","baskets":[{"id":"x1","items":[{"item":"Computers",{{price}},"quantity":1}]}]}""";

        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(Envelopes.ServiceBus(message, "m-" + batchId.Length, 1)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: {(int)response.StatusCode}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Object, body.GetProperty("ReturnValue").ValueKind);
    }
}
