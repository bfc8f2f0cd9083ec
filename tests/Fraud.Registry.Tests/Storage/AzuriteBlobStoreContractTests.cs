using Fraud.Registry.Storage;
using Fraud.Registry.Storage.AzureBlob;
using Fraud.Testing;

namespace Fraud.Registry.Tests.Storage;

/// <summary>
/// The contract suite against a real Azurite, through Azure.Storage.Blobs with Shared Key. Small blocks and
/// pages make the block upload and the marker paging run on every test run.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class AzuriteBlobStoreContractTests(AzuriteFixture azurite) : BlobStoreContractTests
{
    protected override IBlobStore Store { get; } = Open(azurite.ConnectionString);

    protected override IBlobStore OpenAnotherClient() => Open(azurite.ConnectionString);

    internal static AzureBlobStore Open(string connectionString) =>
        AzureBlobStore.FromConnectionString(connectionString, new BlobStoreClientOptions { BlockSize = 64 * 1024, ListPageSize = 2 });
}
