using System.Diagnostics;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace FraudFunctions.Status;

/// <summary>
/// Whether the store answers, checked at most every few seconds so that health checks stay cheap under load and
/// never pile requests onto a struggling store.
/// </summary>
public sealed class StoreProbe(IBlobStore store, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private int _probing;
    private StoreState? _last;

    public string Description => store.Description;

    public async Task<StoreState> CheckAsync(CancellationToken ct)
    {
        var last = _last;
        if (last is not null && time.GetUtcNow() - last.CheckedAt < CacheFor)
        {
            return last;
        }

        if (Interlocked.Exchange(ref _probing, 1) == 1)
        {
            // Another request is probing; answer with what is known rather than queueing behind it.
            return last ?? new StoreState(false, "checking", time.GetUtcNow(), null);
        }

        try
        {
            var start = Stopwatch.GetTimestamp();
            string? error = null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await store.GetAsync(Containers.Models, ".health-probe", timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = "timed out after 3 s";
            }
            catch (Exception ex) when (Http.StoreErrors.IsStoreFailure(ex))
            {
                error = ex is BlobStoreException b && b.Status != 0 ? $"HTTP {b.Status} {b.ErrorCode}" : ex.GetType().Name;
            }

            var state = new StoreState(error is null, error, time.GetUtcNow(), Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            _last = state;
            return state;
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}

/// <summary>The result of the last store probe; <see cref="Error"/> never holds a secret.</summary>
public sealed record StoreState(bool Reachable, string? Error, DateTimeOffset CheckedAt, double? LatencyMs);
