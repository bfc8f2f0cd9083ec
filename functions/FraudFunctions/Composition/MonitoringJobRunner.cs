using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Serving;
using FraudFunctions.Batches;
using FraudFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Composition;

/// <summary>
/// Runs <see cref="MonitoringJob"/> for the MonitorModel timer (drift check, retraining, promotion gate), then asks
/// the champion provider to look again at once, so a promotion is served without waiting for the next poll.
/// One run at a time per instance: an overlapping timer fire is answered as skipped.
/// The last run shown on the test page is read from the store (the newest tracked <c>monitor</c> run), so a run of
/// <c>fraud monitor</c> or of another instance shows too, not only this process's (issue 19, item 13).
/// </summary>
public sealed class MonitoringJobRunner(MonitoringJob job, ChampionProvider provider, RunTracker runs, TimeProvider time, IOptions<FraudOptions> options, ILogger<MonitoringJobRunner> logger) : IMonitoringRunner
{
    /// <summary>How old the store's answer may be: the test page asks every 5 s.</summary>
    public static readonly TimeSpan StoreRefresh = TimeSpan.FromSeconds(5);

    private int _reading;
    private int _running;
    private MonitoringRunSummary? _last;
    private long _readAt = long.MinValue;

    // Run ids sort by start time; every run up to this id has been read and needs no second look.
    private string? _readThrough;

    public async Task<MonitoringRunSummary?> GetLastAsync(CancellationToken ct)
    {
        var now = time.GetTimestamp();
        var stale = Volatile.Read(ref _readAt) == long.MinValue || time.GetElapsedTime(Volatile.Read(ref _readAt), now) >= StoreRefresh;

        // One reader at a time; a request that finds a read under way answers with what is known.
        if (stale && Interlocked.Exchange(ref _reading, 1) == 0)
        {
            try
            {
                await ReadNewRunsAsync(ct);
                Volatile.Write(ref _readAt, now);
            }
            catch (Exception ex) when (Http.StoreErrors.IsStoreFailure(ex) || ex is InvalidDataException or System.Text.Json.JsonException or RegistryException)
            {
                logger.LogWarning(ex, "Could not read the last monitoring run from the store.");
                Volatile.Write(ref _readAt, now);
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
            }
        }

        return Volatile.Read(ref _last);
    }

    public async Task<MonitoringRunSummary> RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return new MonitoringRunSummary(time.GetUtcNow(), MonitoringDecisions.Skipped, null, null, provider.Current?.Version, "A monitoring run is already in progress on this instance.");
        }

        try
        {
            var outcome = await job.RunAsync(new MonitoringOptions { MaxLabelSourceShare = options.Value.MaxLabelSourceShare, MaxTrainingRows = options.Value.MaxTrainingRows }, ct);
            if (outcome.Decision == MonitoringDecisions.Promoted)
            {
                await provider.RefreshAsync(ct);
            }

            var summary = new MonitoringRunSummary(
                time.GetUtcNow(),
                outcome.Decision,
                outcome.Drift?.Alert,
                outcome.Drift?.ScorePsi,
                outcome.ChampionVersion,
                outcome.Reason);
            Keep(summary);
            return summary;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>
    /// Reads the runs started since the last read, oldest first, and keeps the newest finished monitor run. A monitor
    /// run still going (no decision yet) is read again next time, so its decision shows once it is written.
    /// </summary>
    private async Task ReadNewRunsAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var blob in runs.Store.ListAsync(Containers.Runs, null, ct))
        {
            var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && blob.Name.AsSpan(slash + 1).SequenceEqual("run.json")
                && (_readThrough is null || string.CompareOrdinal(blob.Name[..slash], _readThrough) > 0))
            {
                ids.Add(blob.Name[..slash]);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        var settled = true;
        foreach (var id in ids)
        {
            var run = await runs.GetAsync(id, ct);
            if (run is not null && run.Kind == MonitoringJob.RunKind)
            {
                if (run.Tags.TryGetValue("decision", out var decision))
                {
                    Keep(new MonitoringRunSummary(
                        run.EndedAt ?? run.StartedAt,
                        decision,
                        run.Metrics.TryGetValue("drift_dataset_drift", out var drift) ? drift > 0 : null,
                        run.Metrics.TryGetValue("drift_score_psi", out var psi) ? psi : null,
                        run.Tags.GetValueOrDefault("champion"),
                        run.Tags.GetValueOrDefault("reason") ?? string.Empty));
                }
                else if (run.EndedAt is null)
                {
                    settled = false;
                }
            }

            if (settled)
            {
                _readThrough = id;
            }
        }
    }

    /// <summary>Keeps the newer of what is known and <paramref name="summary"/>.</summary>
    private void Keep(MonitoringRunSummary summary)
    {
        while (true)
        {
            var known = Volatile.Read(ref _last);
            if (known is not null && known.CompletedAt > summary.CompletedAt)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _last, summary, known) == known)
            {
                return;
            }
        }
    }
}
