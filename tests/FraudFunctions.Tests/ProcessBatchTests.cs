using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FraudFunctions.Tests;

[Collection(HandlerTests.Name)]
public sealed class ProcessBatchTests(TrainedStore trained) : IDisposable
{
    private readonly HandlerFactory _factory = new(trained.Copy());

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ScoresAQueuedBatchAndSendsTheCompletionThroughTheResultsOutput()
    {
        var (status, response) = await InvokeAsync(Envelopes.ServiceBus(Envelopes.Batch("b-100", 250), "msg-100", deliveryCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        var results = response.GetProperty("Outputs").GetProperty("results");
        Assert.Equal(JsonValueKind.Object, results.ValueKind);
        Assert.Equal("scored", results.GetProperty("status").GetString());
        Assert.Equal("b-100", results.GetProperty("batchId").GetString());
        Assert.Equal(250, results.GetProperty("counts").GetProperty("scored").GetInt32());
        Assert.Equal(results.GetProperty("counts").GetProperty("flagged").GetInt32(), results.GetProperty("flaggedIds").GetArrayLength());
        Assert.Equal("scored", results.GetProperty("location").GetProperty("container").GetString());
        Assert.Equal("2026-11-20/b-100.jsonl", results.GetProperty("location").GetProperty("name").GetString());
        Assert.NotEmpty(response.GetProperty("Logs").EnumerateArray());

        var lines = File.ReadAllLines(Path.Combine(_factory.Storage, "scored", "2026-11-20", "b-100.jsonl"));
        Assert.Equal(250, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("b-100-00000", first.RootElement.GetProperty("basket").GetProperty("id").GetString());
        Assert.InRange(first.RootElement.GetProperty("fraudProbability").GetDouble(), 0, 1);
        Assert.Equal("1", first.RootElement.GetProperty("modelVersion").GetString());
        Assert.True(first.RootElement.TryGetProperty("decision", out _));
    }

    [Fact]
    public async Task ARedeliveredMessageGivesTheSameCompletionAndWritesNothingTwice()
    {
        var body = Envelopes.Batch("b-200", 60);
        var (firstStatus, first) = await InvokeAsync(Envelopes.ServiceBus(body, "msg-200", deliveryCount: 1));
        var blob = Path.Combine(_factory.Storage, "scored", "2026-11-20", "b-200.jsonl");
        var written = File.ReadAllBytes(blob);
        var writtenAt = File.GetLastWriteTimeUtc(blob);

        var (secondStatus, second) = await InvokeAsync(Envelopes.ServiceBus(body, "msg-200", deliveryCount: 2));

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(first.GetProperty("Outputs").GetRawText(), second.GetProperty("Outputs").GetRawText());
        Assert.Equal(written, File.ReadAllBytes(blob));
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(blob));
        Assert.Single(Directory.GetFiles(Path.Combine(_factory.Storage, "scored", "2026-11-20")));
    }

    [Fact]
    public async Task RecordsAMessageThatIsNotJsonAsRejectedAndCompletesIt()
    {
        var (status, response) = await InvokeAsync(Envelopes.ServiceBus("this is not a batch", "msg-bad-1", deliveryCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        var results = response.GetProperty("Outputs").GetProperty("results");
        Assert.Equal("rejected", results.GetProperty("status").GetString());
        Assert.Equal("message", results.GetProperty("field").GetString());
        var record = File.ReadAllText(Path.Combine(_factory.Storage, "rejected", "2026-11-20", "msg-bad-1.json"));
        Assert.Contains("JSON object", record, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"baskets":[]}""", "batchId")]
    [InlineData("""{"batchId":"../../etc/passwd","baskets":[]}""", "batchId")]
    [InlineData("""{"batchId":"b-empty","baskets":[]}""", "baskets")]
    [InlineData("""{"batchId":"b-typed","baskets":[{"id":"x","items":[{"item":"Computers","cashPrice":"cheap","quantity":1}]}]}""", "baskets[0].items[0].cashPrice")]
    public async Task RejectsAMalformedBatchNamingTheField(string message, string field)
    {
        var (status, response) = await InvokeAsync(Envelopes.ServiceBus(message, "msg-" + Guid.NewGuid().ToString("N"), deliveryCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        var results = response.GetProperty("Outputs").GetProperty("results");
        Assert.Equal("rejected", results.GetProperty("status").GetString());
        Assert.Equal(field, results.GetProperty("field").GetString());
        Assert.False(Directory.Exists(Path.Combine(_factory.Storage, "scored")));
    }

    [Fact]
    public async Task RejectsABatchOverTheConfiguredLimit()
    {
        using var small = new HandlerFactory(trained.Copy(), ("Fraud:MaxBatchBaskets", "10"));
        using var client = small.CreateClient();
        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(Envelopes.ServiceBus(Envelopes.Batch("b-big", 11), "m-big", 1)));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("rejected", body.GetProperty("Outputs").GetProperty("results").GetProperty("status").GetString());
        Assert.Contains("at most 10", body.GetProperty("Outputs").GetProperty("results").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScoresTheValidBasketsOfABatchAndListsTheInvalidOnes()
    {
        var (status, response) = await InvokeAsync(Envelopes.ServiceBus(Envelopes.Batch("b-300", 5, firstInvalid: 3), "msg-300", deliveryCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        var results = response.GetProperty("Outputs").GetProperty("results");
        Assert.Equal(4, results.GetProperty("counts").GetProperty("scored").GetInt32());
        Assert.Equal(1, results.GetProperty("counts").GetProperty("invalid").GetInt32());
        var invalid = results.GetProperty("invalid")[0];
        Assert.Equal("b-300-00003", invalid.GetProperty("id").GetString());
        Assert.Equal("baskets[3].items[0].quantity", invalid.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnswersANonEnvelopeWithABadRequest()
    {
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json("""{"batchId":"b","baskets":[]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> InvokeAsync(string envelope)
    {
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(envelope));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
