using Fraud.Model;
using Fraud.Model.Drift;

namespace Fraud.Monitoring;

/// <summary>Everything one monitoring run decides with: the drift window and thresholds, the retraining triggers and the gate.</summary>
public sealed record MonitoringOptions
{
    /// <summary>The prediction-log window the drift check reads, ending now.</summary>
    public TimeSpan DriftWindow { get; init; } = TimeSpan.FromHours(24);

    public DriftOptions Drift { get; init; } = new();

    /// <summary>How far back logged predictions are joined with labels for retraining; older traffic is left out.</summary>
    public TimeSpan LabelLookback { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Finished hours of the prediction log this far back are compacted into one file each; zero turns compaction off.</summary>
    public TimeSpan CompactionLookback { get; init; } = TimeSpan.FromHours(48);

    /// <summary>Retrain when at least this many labels arrived since the champion was trained.</summary>
    public int MinNewLabels { get; init; } = 1000;

    /// <summary>Retrain when the champion is older than this.</summary>
    public TimeSpan MaxModelAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Retrain on a drift alert.</summary>
    public bool RetrainOnDrift { get; init; } = true;

    /// <summary>Retrain whatever the triggers say (the gate still decides).</summary>
    public bool Force { get; init; }

    /// <summary>Share of the labelled traffic, newest first, held out for the gate.</summary>
    public double HoldoutFraction { get; init; } = 0.3;

    /// <summary>Holdout rows wanted at least (when that many labelled baskets exist).</summary>
    public int MinHoldoutRows { get; init; } = 1000;

    /// <summary>
    /// The largest share of the labelled traffic (challenger data and the gate's holdout) one label source may supply
    /// when labels come from two or more sources; rows over it are left out, evenly over time. 1 turns the cap off.
    /// </summary>
    public double MaxLabelSourceShare { get; init; } = DefaultMaxLabelSourceShare;

    /// <summary>The default of <see cref="MaxLabelSourceShare"/>: any one source at most 80 %, so at least a fifth comes from others.</summary>
    public const double DefaultMaxLabelSourceShare = 0.8;

    /// <summary>
    /// The most rows the challenger trains on (base set and labelled traffic together): above it every fraud is kept and
    /// the non-frauds newest first (<see cref="TrainingSetBuilder.CapTrainingRows"/>). The set otherwise grows with
    /// traffic × <see cref="LabelLookback"/>, and training's memory and time grow linearly with its rows
    /// (docs/performance.md, "How cost grows": about 4 KB of peak resident memory and 0.7 CPU ms per row, so 500,000
    /// rows are about 2 GB and 6 CPU minutes: within a 4,096 MB two-core Flex Consumption instance and its timeout).
    /// </summary>
    public int MaxTrainingRows { get; init; } = DefaultMaxTrainingRows;

    /// <summary>The default of <see cref="MaxTrainingRows"/>.</summary>
    public const int DefaultMaxTrainingRows = 500_000;

    public GateOptions Gate { get; init; } = new();

    /// <summary>How the challenger is trained; its seed makes the run repeatable.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Worker threads for featurizing and scoring; 0 = every core. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DriftWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LabelLookback, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(MinNewLabels);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxModelAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(HoldoutFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(HoldoutFraction, 0.9);
        ArgumentOutOfRangeException.ThrowIfNegative(MinHoldoutRows);
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrainingRows, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxLabelSourceShare, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLabelSourceShare, 1.0);
        Drift.Validate();
        Training.Validate();
    }
}
