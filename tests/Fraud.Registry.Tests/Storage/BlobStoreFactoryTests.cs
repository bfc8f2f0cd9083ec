using Fraud.Registry.Storage;
using Fraud.Registry.Storage.AzureBlob;
using Fraud.Testing;
using Microsoft.Extensions.Configuration;

namespace Fraud.Registry.Tests.Storage;

public sealed class BlobStoreFactoryTests
{
    [Fact]
    public void NothingSetMeansTheEmbeddedStoreUnderTheWorkingDirectory()
    {
        var store = Assert.IsType<FileBlobStore>(BlobStoreFactory.Create(null));

        Assert.Equal(Path.GetFullPath(".fraud"), store.Root);
    }

    [Fact]
    public void AFolderPathMeansAFileStoreThere()
    {
        using var folder = new TempDirectory();

        var store = Assert.IsType<FileBlobStore>(BlobStoreFactory.Create(folder.Path));

        Assert.Equal(folder.Path, store.Root);
    }

    [Fact]
    public void UseDevelopmentStorageMeansAzuriteOnItsDefaultPort()
    {
        var store = Assert.IsType<AzureBlobStore>(BlobStoreFactory.Create("UseDevelopmentStorage=true"));

        Assert.Contains("http://127.0.0.1:10000/devstoreaccount1", store.Description, StringComparison.Ordinal);
        Assert.Contains("shared key", store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAccountConnectionStringMeansTheAccountsBlobEndpoint()
    {
        var key = Convert.ToBase64String(new byte[32]);

        var store = BlobStoreFactory.Create($"DefaultEndpointsProtocol=https;AccountName=fraudacct;AccountKey={key};EndpointSuffix=core.windows.net");

        Assert.Contains("https://fraudacct.blob.core.windows.net", store.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(key, store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AnHttpsEndpointMeansMicrosoftEntraId()
    {
        var store = BlobStoreFactory.Create("https://fraudacct.blob.core.windows.net");

        Assert.Contains("Microsoft Entra ID", store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AConnectionStringWithoutAKeyIsRejectedWithoutEchoingIt()
    {
        var ex = Assert.Throws<FormatException>(() => BlobStoreFactory.Create("AccountName=fraudacct;EndpointSuffix=core.windows.net"));

        Assert.Contains("AccountKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAccountKeyThatIsNotBase64IsRejectedWithoutEchoingIt()
    {
        var ex = Assert.Throws<FormatException>(() => BlobStoreFactory.Create("AccountName=fraudacct;AccountKey=not-base64-secret!"));

        Assert.DoesNotContain("not-base64-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentityBasedSettingsLikeTheFunctionsHostSelectAManagedIdentityStore()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["FraudStorage:blobServiceUri"] = "https://fraudacct.blob.core.windows.net",
                ["FraudStorage:credential"] = "managedidentity",
                ["FraudStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
            })
            .Build();

        var store = BlobStoreFactory.FromConfiguration(configuration);

        Assert.Contains("https://fraudacct.blob.core.windows.net", store.Description, StringComparison.Ordinal);
        Assert.Contains("Microsoft Entra ID", store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownCredentialKindIsRejected()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["FraudStorage:blobServiceUri"] = "https://fraudacct.blob.core.windows.net",
                ["FraudStorage:credential"] = "password",
            })
            .Build();

        var ex = Assert.Throws<FormatException>(() => BlobStoreFactory.FromConfiguration(configuration));

        Assert.Contains("managedidentity", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APlainSettingValueIsUsedAsPathOrConnectionString()
    {
        using var folder = new TempDirectory();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["FraudStorage"] = folder.Path })
            .Build();

        var store = Assert.IsType<FileBlobStore>(BlobStoreFactory.FromConfiguration(configuration));

        Assert.Equal(folder.Path, store.Root);
    }
}
