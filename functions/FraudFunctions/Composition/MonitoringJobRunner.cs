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
/// </summary>
public sealed class MonitoringJobRunner(MonitoringJob job, ChampionProvider provider, RunTracker runs, TimeProvider time, IOptions<FraudOptions> options, ILogger<MonitoringJobRunner> logger) : IMonitoringRunner
{
    private int _running;
    private int _loading;
    private MonitoringRunSummary? _last;

    public MonitoringRunSummary? Last
    {
        get
        {
            // After a restart the page still shows the last decision: read the newest tracked monitor run, once, off
            // the request path.
            if (_last is null && Interlocked.Exchange(ref _loading, 1) == 0)
            {
                _ = Task.Run(LoadLastRunAsync);
            }

            return _last;
        }
    }

    public async Task<MonitoringRunSummary> RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return new MonitoringRunSummary(time.GetUtcNow(), MonitoringDecisions.Skipped, null, null, provider.Current?.Version, "A monitoring run is already in progress on this instance.");
        }

        try
        {
            var outcome = await job.RunAsync(new MonitoringOptions { MaxLabelSourceShare = options.Value.MaxLabelSourceShare }, ct);
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
            _last = summary;
            return summary;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task LoadLastRunAsync()
    {
        try
        {
            var newest = (await runs.ListAsync()).FirstOrDefault(r => r.Kind == MonitoringJob.RunKind && r.Tags.ContainsKey("decision"));
            if (newest is null)
            {
                return;
            }

            var summary = new MonitoringRunSummary(
                newest.EndedAt ?? newest.StartedAt,
                newest.Tags["decision"],
                newest.Metrics.TryGetValue("drift_dataset_drift", out var drift) ? drift > 0 : null,
                newest.Metrics.TryGetValue("drift_score_psi", out var psi) ? psi : null,
                newest.Tags.GetValueOrDefault("champion"),
                newest.Tags.GetValueOrDefault("reason") ?? string.Empty);
            Interlocked.CompareExchange(ref _last, summary, null);
        }
        catch (Exception ex) when (Http.StoreErrors.IsStoreFailure(ex) || ex is InvalidDataException or System.Text.Json.JsonException)
        {
            logger.LogWarning(ex, "Could not read the last monitoring run from the store.");
        }
    }
}
