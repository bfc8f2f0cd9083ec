using Fraud.Registry.Storage;

namespace Fraud.Registry.Tests.Serving;

/// <summary>A real store that can be switched off, to simulate a storage outage seen by a running provider.</summary>
internal sealed class OutageStore(IBlobStore inner) : DelegatingBlobStore(inner)
{
    public volatile bool Down;

    public override Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) => Guard(() => base.CreateContainerIfNotExistsAsync(container, ct));

    public override Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default) => Guard(() => base.GetAsync(container, name, ct));

    public override Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default) =>
        Guard(() => base.GetIfChangedAsync(container, name, ifNoneMatchETag, ct));

    public override Task<string> PutAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, string contentType = "application/octet-stream", CancellationToken ct = default) =>
        Guard(() => base.PutAsync(container, name, content, condition, contentType, ct));

    public override Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default) =>
        Guard(() => base.UploadAsync(container, name, content, contentType, ct));

    public override IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, CancellationToken ct = default) =>
        Down ? throw Outage() : base.ListAsync(container, prefix, ct);

    public override Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default) => Guard(() => base.DeleteAsync(container, name, ct));

    private Task<T> Guard<T>(Func<Task<T>> call) => Down ? Task.FromException<T>(Outage()) : call();

    private Task Guard(Func<Task> call) => Down ? Task.FromException(Outage()) : call();

    private static BlobStoreException Outage() => new("store is unreachable (simulated outage)", 0, "Unreachable");
}
