using Fraud.Model.Drift;

namespace Fraud.Monitoring;

/// <summary>The decisions a monitoring run can end with.</summary>
public static class MonitoringDecisions
{
    /// <summary>The store has no champion: nothing to monitor.</summary>
    public const string NoChampion = "no-champion";

    /// <summary>No trigger fired; the champion stays.</summary>
    public const string NoRetrain = "no-retrain";

    /// <summary>A trigger fired but there was nothing fair to train or judge on (too few labels, no data).</summary>
    public const string Skipped = "skipped";

    /// <summary>The challenger beat the champion and was promoted.</summary>
    public const string Promoted = "promoted";

    /// <summary>The challenger did not clear the gate and stays challenger.</summary>
    public const string KeptChampion = "kept-champion";
}

/// <summary>What one monitoring run found and decided; everything here is also in the tracked run.</summary>
public sealed record MonitoringOutcome
{
    public required string Decision { get; init; }

    /// <summary>Why, in a sentence an operator reads.</summary>
    public required string Reason { get; init; }

    public string? RunId { get; init; }

    /// <summary>The champion after the run.</summary>
    public string? ChampionVersion { get; init; }

    public string? ChallengerVersion { get; init; }

    public DriftReport? Drift { get; init; }

    /// <summary>The drift report's blobs (JSON and HTML) beside the run, in the <c>runs</c> container.</summary>
    public IReadOnlyList<string> DriftReportBlobs { get; init; } = [];

    /// <summary>Which triggers fired: <c>drift</c>, <c>new-labels</c>, <c>model-age</c>, <c>forced</c>.</summary>
    public IReadOnlyList<string> Triggers { get; init; } = [];

    public GateDecision? Gate { get; init; }

    public int NewLabels { get; init; }

    public int LabelledBaskets { get; init; }

    public int TrainingRows { get; init; }

    public TimeSpan DriftTime { get; init; }

    public TimeSpan DataTime { get; init; }

    public TimeSpan TrainingTime { get; init; }

    public TimeSpan GateTime { get; init; }

    public TimeSpan TotalTime { get; init; }

    /// <summary>The largest PSI of the check (score or any feature), for dashboards.</summary>
    public double? MaxPsi => Drift is null ? null : Math.Max(Drift.ScorePsi, Drift.Features.Count == 0 ? 0 : Drift.Features.Max(f => f.Psi));
}
