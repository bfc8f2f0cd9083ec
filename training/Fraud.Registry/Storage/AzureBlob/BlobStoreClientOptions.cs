using Azure.Core;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// Pipeline options for <see cref="AzureBlobStore"/>: retries (exponential, transient statuses and network errors),
/// timeouts and diagnostics come from Azure.Core.
/// </summary>
public sealed class BlobStoreClientOptions : ClientOptions
{
    public BlobStoreClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(5);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(60);
        // The SDK's own telemetry header is not needed; a stable application id makes requests easy to find in logs.
        Diagnostics.ApplicationId = "fraud-registry";
    }

    /// <summary>Blobs larger than this are uploaded as blocks of this size (Put Block + Put Block List).</summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Blobs asked for per List Blobs page (the service caps it at 5000).</summary>
    public int ListPageSize { get; set; } = 5000;
}
