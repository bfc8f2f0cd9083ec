using Azure.Core;
using Azure.Storage.Blobs;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// The one place that configures the Blob SDK for <see cref="AzureBlobStore"/>: service version, retries, timeouts,
/// block size and list page size. The values and their reasons are in docs/settings.md ("Blob client options").
/// </summary>
public sealed class BlobStoreClientOptions : BlobClientOptions
{
    /// <summary>
    /// The Blob service version every request asks for. Azure.Storage.Blobs 12.30.1 defaults to 2026-10-06, which
    /// Azurite 3.37.0 (the local store and the tests' store) refuses with <c>400 InvalidHeaderValue: The API version
    /// 2026-10-06 is not supported by Azurite</c>; 2026-06-06 is the newest version both Azurite and Azure accept, and
    /// nothing this product calls changed between the two. Raise it when the pinned Azurite (tests/azurite) supports more.
    /// </summary>
    public const ServiceVersion PinnedServiceVersion = ServiceVersion.V2026_06_06;

    public BlobStoreClientOptions()
        : base(PinnedServiceVersion)
    {
        // Transient statuses (408, 429, 500, 502, 503, 504) and network errors are retried with exponential back-off:
        // 0.2 s, 0.4 s, 0.8 s (jittered, capped at 5 s). With a 30 s timeout per try a dead store fails a call within
        // about 2 minutes, far inside the Functions invocation timeout, so the host can retry the whole message.
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(5);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        // A stable application id makes the product's requests easy to find in storage logs.
        Diagnostics.ApplicationId = "fraud-registry";
    }

    /// <summary>
    /// Streams larger than this are uploaded as blocks of this size (Put Block + Put Block List), at most
    /// <see cref="UploadConcurrency"/> in flight; smaller ones in one Put Blob.
    /// </summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Blocks of one upload sent in parallel.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>Blobs asked for per List Blobs page (the service caps it at 5000).</summary>
    public int ListPageSize { get; set; } = 5000;
}
