using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fraud.Registry;
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
