using Fraud.Monitoring;
using Fraud.Registry.Serving;
using FraudFunctions.Batches;

namespace FraudFunctions.Composition;

/// <summary>
/// Runs <see cref="MonitoringJob"/> for the MonitorModel timer (drift check, retraining, promotion gate), then asks
/// the champion provider to look again at once, so a promotion is served without waiting for the next poll.
/// One run at a time per instance: an overlapping timer fire is answered as skipped.
/// </summary>
public sealed class MonitoringJobRunner(MonitoringJob job, ChampionProvider provider, TimeProvider time) : IMonitoringRunner
{
    private int _running;
    private MonitoringRunSummary? _last;

    public MonitoringRunSummary? Last => _last;

    public async Task<MonitoringRunSummary> RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return new MonitoringRunSummary(time.GetUtcNow(), MonitoringDecisions.Skipped, null, null, provider.Current?.Version, "A monitoring run is already in progress on this instance.");
        }

        try
        {
            var outcome = await job.RunAsync(new MonitoringOptions(), ct);
            if (outcome.Decision == MonitoringDecisions.Promoted)
            {
                await provider.RefreshAsync(ct);
            }

            var summary = new MonitoringRunSummary(
                time.GetUtcNow(),
                outcome.Decision,
                outcome.Drift?.Alert,
                outcome.MaxPsi,
                outcome.ChampionVersion,
                outcome.Reason);
            _last = summary;
            return summary;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
