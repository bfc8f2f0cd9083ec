using Microsoft.Extensions.Options;

namespace FraudFunctions.Hosting;

/// <summary>
/// Gives memory back to the instance after a burst: when at least <see cref="BurstBytes"/> were allocated since the
/// last trim and the process then allocated almost nothing for one <see cref="FraudOptions.IdleTrimSeconds"/> interval,
/// one aggressive full collection compacts every generation (the large-object heap too) and decommits the free regions.
/// </summary>
/// <remarks>
/// Why: the workstation GC (regions) decommits free memory only gradually and only while collections run; an idle
/// process runs none, so after a burst the committed heap stayed at its peak (fraud-chaos fuzz, issue 14: live heap
/// 33–37 MB, committed 38 → 121 MB, RSS +22 % ten seconds after). The collection runs only when the handler is idle
/// (by the allocation counter, not a request count, so batch and host work count too), and at most once per burst, so
/// it never lands in the middle of a load: the loadtest's figures are unchanged (docs/performance.md, "GC mode").
/// </remarks>
public sealed class IdleMemoryTrimmer(IOptions<FraudOptions> options, ILogger<IdleMemoryTrimmer> logger, TimeProvider time) : BackgroundService
{
    /// <summary>Bytes allocated since the last trim that make a burst worth trimming after (8,000 scored baskets or so).</summary>
    public const long BurstBytes = 64L * 1024 * 1024;

    /// <summary>Bytes allocated over one interval below which the process counts as idle (the log's flush and timers allocate a little).</summary>
    public const long IdleBytes = 4L * 1024 * 1024;

    /// <summary>
    /// The idle threshold in use (default <see cref="IdleBytes"/>). The counter is process-wide: a test process where
    /// other tests' hosts keep allocating needs a higher one to see its own idleness.
    /// </summary>
    public long IdleBytesPerInterval { get; init; } = IdleBytes;

    private long _startAllocated;

    /// <summary>Trims done since start.</summary>
    public int Trims { get; private set; }

    /// <summary>
    /// Reads the starting allocation count before the loop starts: since .NET 10 a BackgroundService's ExecuteAsync runs
    /// on the thread pool after StartAsync returns, so a burst right after the start could otherwise come before it
    /// and never be trimmed (the idle-trim test failed that way in a clean-clone CI run).
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _startAllocated = GC.GetTotalAllocatedBytes();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.IdleTrimSeconds;
        if (seconds == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        var sinceTrim = _startAllocated;
        var previous = sinceTrim;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                var idle = now - previous < IdleBytesPerInterval;
                previous = now;
                if (!idle || now - sinceTrim < BurstBytes)
                {
                    continue;
                }

                var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var info = GC.GetGCMemoryInfo();
                var after = info.TotalCommittedBytes;
                var heap = info.HeapSizeBytes;
                Trims++;
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("Idle after a burst: GC committed memory {Before:N0} -> {After:N0} bytes (heap {Heap:N0} bytes).", before, after, heap);
                }
                sinceTrim = previous = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
