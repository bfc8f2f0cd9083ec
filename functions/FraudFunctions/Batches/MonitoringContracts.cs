namespace FraudFunctions.Batches;

/// <summary>Runs the monitoring job (drift check, retraining, promotion gate). Wraps <c>Fraud.Monitoring.MonitoringJob</c>.</summary>
public interface IMonitoringRunner
{
    Task<MonitoringRunSummary> RunAsync(CancellationToken ct);

    /// <summary>The last completed run: the newest tracked one in the store (whoever ran it) or this process's, for the test page.</summary>
    Task<MonitoringRunSummary?> GetLastAsync(CancellationToken ct);
}

/// <summary>What a monitoring run decided, in words an operator reads on the test page.</summary>
public sealed record MonitoringRunSummary(
    DateTimeOffset CompletedAt,
    string Outcome,
    bool? DriftDetected,
    double? ScorePsi,
    string? ChampionVersion,
    string Detail);

/// <summary>MonitorModel has no output bindings; the summary goes back as the return value.</summary>
public sealed record MonitorOutputs;
