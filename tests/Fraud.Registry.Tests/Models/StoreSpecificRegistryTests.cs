using Fraud.Registry.Storage;
using Fraud.Registry.Tests.Storage;
using Fraud.Testing;

namespace Fraud.Registry.Tests.Models;

/// <summary>The registry on the embedded file store; separate store instances stand in for separate processes.</summary>
public sealed class FileStoreRegistryTests : ModelRegistryTests, IDisposable
{
    private readonly TempDirectory _folder = new("fraud-registry");

    protected override IBlobStore OpenStore() => new FileBlobStore(_folder.Path);

    public void Dispose() => _folder.Dispose();
}

/// <summary>The registry on a real Azurite through the Blob SDK store.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class AzuriteRegistryTests(AzuriteFixture azurite) : ModelRegistryTests
{
    protected override IBlobStore OpenStore() => AzuriteBlobStoreContractTests.Open(azurite.ConnectionString);
}
