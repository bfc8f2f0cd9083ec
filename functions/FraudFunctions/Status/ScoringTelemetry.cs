using Fraud.Monitoring.Telemetry;

namespace FraudFunctions.Status;

/// <summary>
/// Records a finished scoring request in both places that show it: the <c>Fraud.Scoring</c> meter (Application Insights,
/// OTLP, dotnet-counters) and the rolling window behind the test page's monitoring view.
/// </summary>
public sealed class ScoringTelemetry(FraudMetrics metrics, RequestStats stats)
{
    public const string SourceApi = "api";
    public const string SourceApiBatch = "api-batch";
    public const string SourceQueue = "batch";

    public void Request(string source, TimeSpan elapsed, int baskets, int flagged)
    {
        var tag = new KeyValuePair<string, object?>(FraudMetrics.SourceTag, source);
        metrics.RequestCounter.Add(1, tag);
        metrics.RequestDurationHistogram.Record(elapsed.TotalMilliseconds, tag);
        if (source != SourceApi)
        {
            metrics.BatchSizeHistogram.Record(baskets, tag);
        }

        stats.Record(elapsed, baskets, flagged);
    }

    /// <summary>A queued batch that can never be processed, for the BatchRejected alert.</summary>
    public void Rejected(string? messageId, string field, string reason) => metrics.RaiseEvent(
        FraudMetrics.BatchRejectedEvent,
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["messageId"] = messageId ?? string.Empty,
            ["field"] = field,
            ["reason"] = reason,
        });
}
