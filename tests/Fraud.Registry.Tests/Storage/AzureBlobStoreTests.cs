using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Fraud.Registry.Storage;
using Fraud.Registry.Storage.AzureBlob;
using Fraud.Testing;

namespace Fraud.Registry.Tests.Storage;

/// <summary>What only the Azure store has: authentication modes, the pinned service version and failures, against a real Azurite.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite)
{
    private static readonly BlobStoreClientOptions FastFailing = new() { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10) } };

    [Fact]
    public async Task AWrongAccountKeyFailsWithAnAuthenticationErrorCarryingStatusAndCode()
    {
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var store = AzureBlobStore.FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={wrongKey};BlobEndpoint={azurite.BlobEndpoint};",
            FastFailing);

        var ex = await Assert.ThrowsAsync<BlobAuthenticationException>(() => store.CreateContainerIfNotExistsAsync("models"));

        Assert.Equal(403, ex.Status);
        Assert.False(string.IsNullOrEmpty(ex.ErrorCode));
        Assert.Contains("403", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorksThroughASasUrlFromTheFactory()
    {
        var shared = AzureBlobStore.FromConnectionString(azurite.ConnectionString);
        await shared.CreateContainerIfNotExistsAsync("sas-data");
        var sasUrl = azurite.BlobEndpoint + "?" + AccountSas("rwdlac");

        var store = BlobStoreFactory.Create(sasUrl);
        var etag = await store.PutAsync("sas-data", "x/y.json", Encoding.UTF8.GetBytes("{}"));

        Assert.IsType<AzureBlobStore>(store);
        Assert.Equal(etag, (await store.GetAsync("sas-data", "x/y.json"))!.ETag);
        Assert.Equal("x/y.json", Assert.Single(await ToListAsync(store.ListAsync("sas-data", "x/"))).Name);
        Assert.DoesNotContain("sig=", store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadOnlySasCannotWrite()
    {
        var shared = AzureBlobStore.FromConnectionString(azurite.ConnectionString);
        await shared.CreateContainerIfNotExistsAsync("sas-readonly");
        var store = AzureBlobStore.FromSasUri(new Uri(azurite.BlobEndpoint + "?" + AccountSas("rl")), FastFailing);

        var ex = await Assert.ThrowsAsync<BlobAuthenticationException>(
            () => store.PutAsync("sas-readonly", "a.json", Encoding.UTF8.GetBytes("{}")));

        Assert.Equal(403, ex.Status);
    }

    [Fact]
    public async Task AnUnreachableEndpointGivesAClearStoreErrorNotACrash()
    {
        var port = LoopbackPort.Free();
        var store = AzureBlobStore.FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/{AzuriteFixture.AccountName};",
            FastFailing);

        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetAsync("models", "basket-fraud/aliases/champion.json"));

        Assert.Contains("unreachable", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Unreachable", ex.ErrorCode);
    }

    [Fact]
    public void TheDescriptionNamesTheEndpointButNeverTheKey()
    {
        var store = AzureBlobStore.FromConnectionString(azurite.ConnectionString);

        Assert.Contains($"127.0.0.1:{azurite.Port}", store.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzuriteRefusesTheSdkDefaultServiceVersionButAcceptsThePinnedOne()
    {
        // Why BlobStoreClientOptions pins the service version: without the pin every call fails against Azurite 3.37.
        var unpinned = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString, new Azure.Storage.Blobs.BlobClientOptions { Retry = { MaxRetries = 0 } });

        var ex = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => unpinned.GetBlobContainerClient("version-check").CreateIfNotExistsAsync());
        Assert.Equal(400, ex.Status);

        var pinned = AzureBlobStore.FromConnectionString(azurite.ConnectionString, FastFailing);
        await pinned.CreateContainerIfNotExistsAsync("version-check");
        await pinned.PutAsync("version-check", "a.json", Encoding.UTF8.GetBytes("{}"));
        Assert.NotNull(await pinned.GetAsync("version-check", "a.json"));
    }

    // An account SAS (version 2018-11-09, "Create an account SAS"): HMAC-SHA256 over the signed fields, one per line.
    private static string AccountSas(string permissions)
    {
        const string Version = "2018-11-09";
        var expiry = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var toSign = $"{AzuriteFixture.AccountName}\n{permissions}\nb\nsco\n\n{expiry}\n\nhttps,http\n{Version}\n";
        var sig = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(AzuriteFixture.AccountKey), Encoding.UTF8.GetBytes(toSign)));
        return $"sv={Version}&ss=b&srt=sco&sp={permissions}&se={Uri.EscapeDataString(expiry)}&spr=https,http&sig={Uri.EscapeDataString(sig)}";
    }


    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
