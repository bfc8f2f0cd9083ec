namespace Fraud.Registry.Storage;

/// <summary>
/// The handful of blob operations the product needs, implemented by the embedded file-system store and by the
/// Azure Blob store (Azure.Storage.Blobs). Both pass the same contract test suite, so callers never branch on the implementation.
/// </summary>
public interface IBlobStore
{
    /// <summary>Where the store points (a folder, an account endpoint); never contains a key or SAS token.</summary>
    string Description { get; }

    /// <summary>Creates the container when it does not exist; an existing container is not an error.</summary>
    Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default);

    /// <summary>Downloads a blob with its ETag, or returns null when the blob (or its container) does not exist.</summary>
    Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default);

    /// <summary>
    /// Cheap polling: returns <see cref="BlobGetStatus.NotModified"/> without content when the blob's ETag still equals
    /// <paramref name="ifNoneMatchETag"/>.
    /// </summary>
    Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default);

    /// <summary>
    /// Writes a blob in one request, honouring <paramref name="condition"/> atomically; returns the new ETag.
    /// Throws <see cref="BlobPreconditionFailedException"/> when the condition does not hold.
    /// </summary>
    Task<string> PutAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> content,
        BlobWriteCondition condition = default,
        string contentType = "application/octet-stream",
        CancellationToken ct = default);

    /// <summary>Uploads a stream of any size (in blocks on Azure), replacing any existing blob; returns the new ETag.</summary>
    Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default);

    /// <summary>Lists blobs whose names start with <paramref name="prefix"/>, in name order, following paging markers.</summary>
    IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, CancellationToken ct = default);

    /// <summary>Deletes a blob; returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default);
}

/// <summary>A downloaded blob: its bytes, ETag and last-modified time.</summary>
public sealed record BlobDownload(ReadOnlyMemory<byte> Content, string ETag, DateTimeOffset LastModified);

/// <summary>One entry of a blob listing.</summary>
public sealed record BlobItemInfo(string Name, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>Outcome of a conditional read.</summary>
public enum BlobGetStatus
{
    /// <summary>The blob exists and changed (or no ETag was given); <see cref="BlobGetResult.Download"/> is set.</summary>
    Ok,

    /// <summary>The blob still has the given ETag; no content was transferred.</summary>
    NotModified,

    /// <summary>The blob does not exist.</summary>
    NotFound,
}

/// <summary>Result of <see cref="IBlobStore.GetIfChangedAsync"/>.</summary>
public sealed record BlobGetResult(BlobGetStatus Status, BlobDownload? Download)
{
    public static BlobGetResult NotModified { get; } = new(BlobGetStatus.NotModified, null);

    public static BlobGetResult NotFound { get; } = new(BlobGetStatus.NotFound, null);

    public static BlobGetResult Ok(BlobDownload download) => new(BlobGetStatus.Ok, download);
}

/// <summary>How a write is guarded. The default value means unconditional.</summary>
public readonly record struct BlobWriteCondition
{
    private BlobWriteCondition(bool ifNotExists, string? ifMatchETag)
    {
        IfNotExistsRequired = ifNotExists;
        IfMatchETag = ifMatchETag;
    }

    /// <summary>Unconditional write.</summary>
    public static BlobWriteCondition None => default;

    /// <summary>Write only when no blob of that name exists (HTTP <c>If-None-Match: *</c>).</summary>
    public static BlobWriteCondition IfNotExists => new(true, null);

    /// <summary>True for <see cref="IfNotExists"/>.</summary>
    public bool IfNotExistsRequired { get; }

    /// <summary>The ETag the current blob must have (HTTP <c>If-Match</c>), or null.</summary>
    public string? IfMatchETag { get; }

    /// <summary>Write only when the current blob still has <paramref name="etag"/> (optimistic concurrency).</summary>
    public static BlobWriteCondition IfMatch(string etag)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return new(false, etag);
    }
}
