using Fraud.Registry.Storage;

namespace Fraud.Registry.Tests.Models;

/// <summary>
/// Holds the first <c>parties</c> reads of one blob until all of them have arrived, so that several clients are
/// guaranteed to act on the same ETag: the worst case for a race, made certain instead of left to timing.
/// </summary>
internal sealed class Rendezvous(string blobSuffix, int parties)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public async Task ArriveAsync(string name)
    {
        if (!name.EndsWith(blobSuffix, StringComparison.Ordinal))
        {
            return;
        }

        var n = Interlocked.Increment(ref _arrived);
        if (n > parties)
        {
            return;
        }

        if (n == parties)
        {
            _all.SetResult();
        }

        await _all.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}

/// <summary>A real store whose reads of one blob meet at a <see cref="Rendezvous"/> before going on.</summary>
internal sealed class RendezvousStore(IBlobStore inner, Rendezvous rendezvous) : IBlobStore
{
    public string Description => inner.Description;

    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) => inner.CreateContainerIfNotExistsAsync(container, ct);

    public async Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default)
    {
        var result = await inner.GetAsync(container, name, ct);
        await rendezvous.ArriveAsync(name);
        return result;
    }

    public Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default) =>
        inner.GetIfChangedAsync(container, name, ifNoneMatchETag, ct);

    public Task<string> PutAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, string contentType = "application/octet-stream", CancellationToken ct = default) =>
        inner.PutAsync(container, name, content, condition, contentType, ct);

    public Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default) =>
        inner.UploadAsync(container, name, content, contentType, ct);

    public IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, CancellationToken ct = default) => inner.ListAsync(container, prefix, ct);

    public Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default) => inner.DeleteAsync(container, name, ct);
}
