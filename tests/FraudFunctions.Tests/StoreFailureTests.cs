using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace FraudFunctions.Tests;

/// <summary>The handler against a real Azure Blob service (Azurite), including the service going away.</summary>
[Collection(HandlerTests.Name)]
public sealed class StoreFailureTests(TrainedStore trained)
{
    [Fact]
    public async Task ScoresBatchesIntoAzuriteAndFailsTheInvocationWhenTheStoreIsGone()
    {
        var azurite = new AzuriteFixture();
        try
        {
            await CopyModelsAsync(new FileBlobStore(trained.Template), BlobStoreFactory.Create(azurite.ConnectionString));
            using var factory = new HandlerFactory(azurite.ConnectionString);
            using var client = factory.CreateClient();

            using var ok = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(Envelopes.ServiceBus(Envelopes.Batch("az-1", 20), "m-az-1", 1)));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var stored = await BlobStoreFactory.Create(azurite.ConnectionString).GetAsync(Containers.Scored, "az-1.jsonl");
            Assert.NotNull(stored);

            azurite.Dispose();
            using var failed = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(Envelopes.ServiceBus(Envelopes.Batch("az-2", 20), "m-az-2", 1)));

            // Non-2xx fails the invocation: the host abandons the message, redelivers it and finally dead-letters it.
            Assert.False(failed.IsSuccessStatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            var problem = await failed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("retried", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            // The model stays in memory, so health says degraded (still serving) and names the store.
            var health = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/health/details", UriKind.Relative));
            Assert.Equal("degraded", health.GetProperty("status").GetString());
            Assert.False(health.GetProperty("store").GetProperty("reachable").GetBoolean());
        }
        finally
        {
            azurite.Dispose();
        }
    }

    [Fact]
    public async Task BatchesAsFraudSubmitSendsThemArriveInBothFormsOnAzuriteAndRedeliveryWritesNothing()
    {
        using var azurite = new AzuriteFixture();
        var store = BlobStoreFactory.Create(azurite.ConnectionString);
        await CopyModelsAsync(new FileBlobStore(trained.Template), store);
        var baskets = Fraud.Baskets.SyntheticBaskets.Generate(new Fraud.Baskets.GeneratorOptions { Rows = 1100, Seed = 5 })
            .Select((b, i) => b.Basket with { Id = $"sub-{i:D4}" }).ToList();
        var small = new PlannedBatch("sub-1", baskets[..100], BatchMessages.Inline("sub-1", baskets[..100]));
        var big = new PlannedBatch("sub-2", baskets[100..], BatchMessages.Inline("sub-2", baskets[100..]));
        Assert.True(big.InlineBody.Length > 256 * 1024, "1000 baskets need the claim check on a Standard queue");
        Assert.Equal(ClaimCheckWrite.Written, await ClaimChecks.WriteAsync(store, big.Id, big.InlineBody));

        var factory = new HandlerFactory(azurite.ConnectionString);
        using (factory)
        using (var client = factory.CreateClient())
        {
            var inline = Encoding.UTF8.GetString(small.InlineBody);
            var claim = Encoding.UTF8.GetString(BatchMessages.ClaimCheck(big.Id));
            foreach (var (message, id, scored) in new[] { (inline, small.Id, 100), (claim, big.Id, 1000) })
            {
                var first = await PostAsync(client, Envelopes.ServiceBus(message, id, 1));
                var resultsBlob = await store.GetAsync(Containers.Scored, BatchNames.ResultName(id));
                var again = await PostAsync(client, Envelopes.ServiceBus(message, id, 2, "2026-11-23T10:00:00Z"));

                Assert.Equal(scored, first.GetProperty("Outputs").GetProperty("results").GetProperty("counts").GetProperty("scored").GetInt32());
                Assert.Equal(first.GetProperty("Outputs").GetRawText(), again.GetProperty("Outputs").GetRawText());
                Assert.Equal(resultsBlob!.ETag, (await store.GetAsync(Containers.Scored, BatchNames.ResultName(id)))!.ETag);
            }
        }

        var records = 0;
        await foreach (var record in new Fraud.Monitoring.PredictionLogReader(store).ReadAllAsync())
        {
            records += record.Basket.Id.StartsWith("sub-", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.Equal(1100, records);
        Assert.NotNull(await store.GetAsync(Containers.Batches, BatchNames.IncomingName(big.Id)));
    }

    [Fact]
    public async Task ShutdownDuringAStoreOutageKeepsEveryAnsweredPredictionInTheLocalSpill()
    {
        var azurite = new AzuriteFixture();
        using var spill = new TempDirectory("fraud-spill");
        try
        {
            var store = BlobStoreFactory.Create(azurite.ConnectionString);
            await CopyModelsAsync(new FileBlobStore(trained.Template), store);
            var answered = new List<string>();
            var storedBeforeOutage = new List<string>();
            var factory = new HandlerFactory(azurite.ConnectionString, ("PredictionLog:SpillDirectory", spill.Path));
            using (var client = factory.CreateClient())
            {
                for (var i = 0; i < 40; i++)
                {
                    using var response = await client.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket($"spill-{i}")));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    answered.Add($"spill-{i}");
                    if (i == 19)
                    {
                        // Whatever a periodic flush stored so far, then the store goes away mid-traffic; scoring goes on.
                        storedBeforeOutage = await new Fraud.Monitoring.PredictionLogReader(store).ReadAllAsync().Select(r => r.Basket.Id).ToListAsync();
                        azurite.Dispose();
                    }
                }
            }

            // The host stops (as on SIGTERM) while the store is still down.
            await factory.DisposeAsync();

            var kept = new List<string>();
            foreach (var file in Directory.EnumerateFiles(spill.Path, "*.parquet", SearchOption.AllDirectories))
            {
                var records = new List<Fraud.Monitoring.PredictionRecord>();
                await using var stream = File.OpenRead(file);
                await Fraud.Monitoring.PredictionParquet.ReadAsync(stream, records);
                kept.AddRange(records.Select(r => r.Basket.Id));
            }

            kept.AddRange(storedBeforeOutage);
            Assert.Equal(answered.Order(StringComparer.Ordinal), kept.Order(StringComparer.Ordinal));
        }
        finally
        {
            azurite.Dispose();
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string envelope)
    {
        using var response = await client.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(envelope));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task CopyModelsAsync(FileBlobStore from, IBlobStore to)
    {
        await to.CreateContainerIfNotExistsAsync(Containers.Models);
        await foreach (var blob in from.ListAsync(Containers.Models))
        {
            var download = await from.GetAsync(Containers.Models, blob.Name);
            await to.PutAsync(Containers.Models, blob.Name, download!.Content);
        }
    }
}
