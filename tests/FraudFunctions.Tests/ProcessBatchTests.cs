using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;

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
        Assert.Equal("b-100.jsonl", results.GetProperty("location").GetProperty("name").GetString());
        Assert.NotEmpty(response.GetProperty("Logs").EnumerateArray());

        var lines = File.ReadAllLines(Path.Combine(_factory.Storage, "scored", "b-100.jsonl"));
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
        var blob = Path.Combine(_factory.Storage, "scored", "b-200.jsonl");
        var written = File.ReadAllBytes(blob);
        var writtenAt = File.GetLastWriteTimeUtc(blob);

        var (secondStatus, second) = await InvokeAsync(Envelopes.ServiceBus(body, "msg-200", deliveryCount: 2));

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(first.GetProperty("Outputs").GetRawText(), second.GetProperty("Outputs").GetRawText());
        Assert.Equal(written, File.ReadAllBytes(blob));
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(blob));
        Assert.Single(Directory.GetFiles(Path.Combine(_factory.Storage, "scored"), "*.jsonl"));
    }

    [Fact]
    public async Task RecordsAMessageThatIsNotJsonAsRejectedAndCompletesIt()
    {
        var (status, response) = await InvokeAsync(Envelopes.ServiceBus("this is not a batch", "msg-bad-1", deliveryCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        var results = response.GetProperty("Outputs").GetProperty("results");
        Assert.Equal("rejected", results.GetProperty("status").GetString());
        Assert.Equal("message", results.GetProperty("field").GetString());
        var record = File.ReadAllText(Path.Combine(_factory.Storage, "rejected", results.GetProperty("location").GetProperty("name").GetString()!));
        Assert.Contains("JSON object", record, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"baskets":[]}""", "batchId")]
    [InlineData("""{"batchId":"../../etc/passwd","baskets":[]}""", "batchId")]
    [InlineData("{\"batchId\":\"b-newline\\n\",\"baskets\":[]}", "batchId")]
    [InlineData("""{"batchId":"b-cc","blob":"models/basket-fraud/aliases/champion.json"}""", "blob")]
    [InlineData("""{"batchId":"b-cc-missing","blob":"batches/incoming/b-cc-missing.json"}""", "blob")]
    [InlineData("""{"batchId":"b-both","blob":"batches/incoming/b-both.json","baskets":[]}""", "blob")]
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

    [Fact]
    public async Task ABatchIdEndingInANewlineIsRejectedOnceNotRetried()
    {
        // Issue 14 item 7: `$` matched before a final newline, so "b-1\n" passed the id check and then failed with 500
        // on every delivery until dead-letter.
        var body = "{\"batchId\":\"b-nl\\n\",\"baskets\":" + BasketsOf(Envelopes.Batch("b-nl", 3)) + "}";
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            var (status, response) = await InvokeAsync(Envelopes.ServiceBus(body, "m-nl\n", deliveryCount: delivery));

            Assert.Equal(HttpStatusCode.OK, status);
            var results = response.GetProperty("Outputs").GetProperty("results");
            Assert.Equal("rejected", results.GetProperty("status").GetString());
            Assert.Equal("batchId", results.GetProperty("field").GetString());
        }

        Assert.False(Directory.Exists(Path.Combine(_factory.Storage, "scored")));
        Assert.Single(Directory.GetFiles(Path.Combine(_factory.Storage, "rejected"), "*.json"));
    }

    [Theory]
    [InlineData("m-odd\r\n")]
    [InlineData("../../m")]
    [InlineData("")]
    public async Task ARejectedMessageWithAnUnusualMessageIdIsRecordedOnceHoweverOftenItIsDelivered(string messageId)
    {
        // Issue 14 item 15: the record was keyed on a hash of the whole envelope (DeliveryCount included).
        for (var delivery = 1; delivery <= 4; delivery++)
        {
            var (status, _) = await InvokeAsync(Envelopes.ServiceBus("not a batch", messageId, deliveryCount: delivery, enqueuedTimeUtc: $"2026-11-2{delivery}T08:00:00Z"));
            Assert.Equal(HttpStatusCode.OK, status);
        }

        Assert.Single(Directory.GetFiles(Path.Combine(_factory.Storage, "rejected"), "*.json"));
    }

    [Fact]
    public async Task AClaimCheckBatchIsScoredLikeTheInlineFormAndItsBodyIsKept()
    {
        var store = new FileBlobStore(_factory.Storage);
        var inline = Envelopes.Batch("b-cc-1", 40);
        await store.CreateContainerIfNotExistsAsync(Containers.Batches);
        await store.PutAsync(Containers.Batches, BatchNames.IncomingName("b-cc-1"), Encoding.UTF8.GetBytes(inline), BlobWriteCondition.IfNotExists);

        var (status, response) = await InvokeAsync(Envelopes.ServiceBus(Encoding.UTF8.GetString(BatchMessages.ClaimCheck("b-cc-1")), "b-cc-1", deliveryCount: 1));
        var (again, second) = await InvokeAsync(Envelopes.ServiceBus(Encoding.UTF8.GetString(BatchMessages.ClaimCheck("b-cc-1")), "b-cc-1", deliveryCount: 2));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, again);
        var results = response.GetProperty("Outputs").GetProperty("results");
        Assert.Equal("scored", results.GetProperty("status").GetString());
        Assert.Equal(40, results.GetProperty("counts").GetProperty("scored").GetInt32());
        Assert.Equal(response.GetProperty("Outputs").GetRawText(), second.GetProperty("Outputs").GetRawText());
        Assert.Equal(40, File.ReadAllLines(Path.Combine(_factory.Storage, "scored", "b-cc-1.jsonl")).Length);
        Assert.NotNull(await store.GetAsync(Containers.Batches, BatchNames.IncomingName("b-cc-1")));
    }

    [Fact]
    public async Task RedeliveryOnAnotherDayAndResubmissionInTheOtherFormWriteNoSecondResultOrPrediction()
    {
        // Issue 14 item 3: the key was batchId + enqueue date, so the same batch a day later was scored and logged again.
        var inline = Envelopes.Batch("b-idem", 30);
        var factory = new HandlerFactory(trained.Copy());
        var store = new FileBlobStore(factory.Storage);
        await store.CreateContainerIfNotExistsAsync(Containers.Batches);
        await store.PutAsync(Containers.Batches, BatchNames.IncomingName("b-idem"), Encoding.UTF8.GetBytes(inline), BlobWriteCondition.IfNotExists);
        string first;
        using (factory)
        using (var client = factory.CreateClient())
        {
            first = (await PostAsync(client, Envelopes.ServiceBus(inline, "m-1", 1, "2026-11-20T08:00:00Z"))).GetProperty("Outputs").GetRawText();
            var nextDay = await PostAsync(client, Envelopes.ServiceBus(inline, "m-1", 2, "2026-11-21T09:00:00Z"));
            var resubmitted = await PostAsync(client, Envelopes.ServiceBus(Encoding.UTF8.GetString(BatchMessages.ClaimCheck("b-idem")), "m-2", 1, "2026-12-01T10:00:00Z"));

            Assert.Equal("scored", nextDay.GetProperty("Outputs").GetProperty("results").GetProperty("status").GetString());
            Assert.Equal(first.Replace("m-1", "m-2", StringComparison.Ordinal), resubmitted.GetProperty("Outputs").GetRawText());
        }

        Assert.Single(Directory.GetFiles(Path.Combine(factory.Storage, "scored"), "*.jsonl"));
        Assert.Equal(30, await CountPredictionsAsync(store, "b-idem-"));
    }

    [Fact]
    public async Task ADifferentBatchReusingAnIdIsRejectedRecordedAndSeesNothingOfTheFirst()
    {
        var factory = new HandlerFactory(trained.Copy());
        using (factory)
        using (var client = factory.CreateClient())
        {
            var first = await PostAsync(client, Envelopes.ServiceBus(Envelopes.Batch("b-reuse", 20), "m-a", 1));
            var other = Envelopes.Batch("b-reuse", 25).Replace("b-reuse-000", "other-000", StringComparison.Ordinal);
            var second = await PostAsync(client, Envelopes.ServiceBus(other, "m-b", 1));
            var secondAgain = await PostAsync(client, Envelopes.ServiceBus(other, "m-b", 2, "2026-11-22T08:00:00Z"));

            Assert.Equal("scored", first.GetProperty("Outputs").GetProperty("results").GetProperty("status").GetString());
            var rejected = second.GetProperty("Outputs").GetProperty("results");
            Assert.Equal("rejected", rejected.GetProperty("status").GetString());
            Assert.Equal("batchId", rejected.GetProperty("field").GetString());
            Assert.Contains("already used", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.False(rejected.TryGetProperty("flaggedIds", out var flagged) && flagged.ValueKind == JsonValueKind.Array);
            Assert.Equal(rejected.GetRawText(), secondAgain.GetProperty("Outputs").GetProperty("results").GetRawText());
        }

        Assert.Single(Directory.GetFiles(Path.Combine(factory.Storage, "rejected"), "*.json"));
        Assert.Equal(20, File.ReadAllLines(Path.Combine(factory.Storage, "scored", "b-reuse.jsonl")).Length);
        Assert.Equal(20, await CountPredictionsAsync(new FileBlobStore(factory.Storage), "b-reuse-"));
        Assert.Equal(0, await CountPredictionsAsync(new FileBlobStore(factory.Storage), "other-"));
    }

    private static async Task<int> CountPredictionsAsync(IBlobStore store, string idPrefix)
    {
        var count = 0;
        await foreach (var record in new PredictionLogReader(store).ReadAllAsync())
        {
            count += record.Basket.Id.StartsWith(idPrefix, StringComparison.Ordinal) ? 1 : 0;
        }

        return count;
    }

    private static string BasketsOf(string batch)
    {
        using var document = JsonDocument.Parse(batch);
        return document.RootElement.GetProperty("baskets").GetRawText();
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string envelope)
    {
        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(envelope));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> InvokeAsync(string envelope)
    {
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(envelope));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
