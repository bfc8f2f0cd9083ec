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
internal sealed class RendezvousStore(IBlobStore inner, Rendezvous rendezvous) : DelegatingBlobStore(inner)
{
    public override async Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default)
    {
        var result = await Inner.GetAsync(container, name, ct);
        await rendezvous.ArriveAsync(name);
        return result;
    }
}
