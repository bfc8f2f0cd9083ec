namespace Fraud.Model.Drift;

/// <summary>Thresholds and shapes of the drift check. The defaults follow the usual PSI reading: below 0.1 stable, 0.1–0.25 a shift worth a look, above 0.25 a real change.</summary>
public sealed record DriftOptions
{
    /// <summary>PSI at which a feature or the score is reported as "warn".</summary>
    public double WarnPsi { get; init; } = 0.1;

    /// <summary>PSI at which a feature or the score is reported as "alert"; a score alert raises the drift alert.</summary>
    public double AlertPsi { get; init; } = 0.25;

    /// <summary>PSI from which a feature counts as drifted in the dataset-drift share.</summary>
    public double FeatureDriftPsi { get; init; } = 0.1;

    /// <summary>
    /// Share of drifted input signals (basket-level columns of the card's input profile) from which the whole dataset
    /// counts as drifted; with an old card that has no input profile, the share of drifted model features.
    /// </summary>
    public double DatasetDriftShare { get; init; } = 0.5;

    /// <summary>Floor for a bin's share, so that an empty bin gives a large but finite PSI term instead of infinity.</summary>
    public double Epsilon { get; init; } = 1e-4;

    /// <summary>Quantile bins per numeric feature.</summary>
    public int NumericBins { get; init; } = 10;

    /// <summary>Quantile bins for the score.</summary>
    public int ScoreBins { get; init; } = 10;

    /// <summary>Item categories and makes kept by name; the rest share one "other" bucket.</summary>
    public int TopCategories { get; init; } = 20;

    /// <summary>Goods codes the reference remembers for the "unseen code" signal; rarer ones count as unseen.</summary>
    public int MaxKnownValues { get; init; } = 20_000;

    /// <summary>Below this many current baskets the report says the window is too small to judge, and declares no drift.</summary>
    public int MinRows { get; init; } = 500;

    /// <summary>Throws when the thresholds contradict each other.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WarnPsi);
        ArgumentOutOfRangeException.ThrowIfLessThan(AlertPsi, WarnPsi);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FeatureDriftPsi);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DatasetDriftShare);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DatasetDriftShare, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epsilon);
        ArgumentOutOfRangeException.ThrowIfLessThan(NumericBins, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(ScoreBins, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(TopCategories, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MinRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKnownValues, 1);
    }
}
