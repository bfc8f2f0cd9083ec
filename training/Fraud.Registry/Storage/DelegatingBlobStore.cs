namespace Fraud.Registry.Storage;

/// <summary>
/// A store that passes every call to another store. Subclasses override only the calls they change: outage and fault
/// simulation (<c>fraud log outage</c>, the tests), timing, or instrumentation.
/// </summary>
public abstract class DelegatingBlobStore(IBlobStore inner) : IBlobStore
{
    /// <summary>The store every call goes to unless a subclass overrides it.</summary>
    protected IBlobStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public virtual string Description => Inner.Description;

    /// <inheritdoc />
    public virtual Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) =>
        Inner.CreateContainerIfNotExistsAsync(container, ct);

    /// <inheritdoc />
    public virtual Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default) =>
        Inner.GetAsync(container, name, ct);

    /// <inheritdoc />
    public virtual Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default) =>
        Inner.GetIfChangedAsync(container, name, ifNoneMatchETag, ct);

    /// <inheritdoc />
    public virtual Task<string> PutAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> content,
        BlobWriteCondition condition = default,
        string contentType = "application/octet-stream",
        CancellationToken ct = default) =>
        Inner.PutAsync(container, name, content, condition, contentType, ct);

    /// <inheritdoc />
    public virtual Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default) =>
        Inner.UploadAsync(container, name, content, contentType, ct);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, CancellationToken ct = default) =>
        Inner.ListAsync(container, prefix, ct);

    /// <inheritdoc />
    public virtual Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default) =>
        Inner.DeleteAsync(container, name, ct);
}
