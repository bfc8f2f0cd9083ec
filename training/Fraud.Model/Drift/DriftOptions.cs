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

    /// <summary>
    /// Share of window checks of a same-population sample allowed to end in <c>warn</c> by the classifier test; its
    /// warning AUC is 0.5 + Φ⁻¹(1 − rate)·σ with σ calibrated by permutation.
    /// </summary>
    public double WarnFalseAlarmRate { get; init; } = 0.01;

    /// <summary>Share of same-population checks allowed to end in <c>alert</c> by the classifier test (0.1 %).</summary>
    public double AlertFalseAlarmRate { get; init; } = 0.001;

    /// <summary>
    /// Per-column false-alarm rate of the PSI significance test (n_eff·PSI against χ²(bins − 1)): a column counts as
    /// drifted only when its PSI is both beyond sampling noise at this rate and, above the PSI two same-population
    /// samples of these sizes show on average, at least <see cref="FeatureDriftPsi"/>.
    /// </summary>
    public double ColumnFalseAlarmRate { get; init; } = 0.001;

    /// <summary>Rows of each side the classifier test uses at most (a seeded random subset), which bounds its cost and sensitivity.</summary>
    public int ClassifierRows { get; init; } = 5000;

    /// <summary>Boosting rounds of the two-sample classifier (no early stopping: the permutations must run the same procedure).</summary>
    public int ClassifierRounds { get; init; } = 40;

    /// <summary>
    /// Label permutations that calibrate the classifier's AUC spread under no drift; 0 uses the Mann–Whitney spread
    /// alone. The thresholds use Student's t for this many degrees of freedom, so more permutations lower the alert
    /// threshold (t at 0.1 %: 4.50 for 8, 3.93 for 12, against the normal 3.09) at one classifier fit each: 12 keeps
    /// the alert within reach of moderate shifts in 2,000-basket windows for half again the test's time.
    /// </summary>
    public int ClassifierPermutations { get; init; } = 12;

    /// <summary>Held-out rows explained with TreeSHAP to name the features the classifier relied on.</summary>
    public int ClassifierShapRows { get; init; } = 400;

    /// <summary>Features named in the report (and the reason) from the classifier's SHAP.</summary>
    public int ClassifierTopFeatures { get; init; } = 5;

    /// <summary>Baskets of the reference kept in the card for the classifier test (evenly spaced over the held-out rows).</summary>
    public int ReferenceSampleRows { get; init; } = 6000;

    /// <summary>Seed of the classifier test's halving, trees and permutations: the same window always gets the same verdict.</summary>
    public int Seed { get; init; } = 17;

    /// <summary>Threads for the classifier's training; 0 = every core. The result does not depend on it.</summary>
    public int Threads { get; init; }

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
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WarnFalseAlarmRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(WarnFalseAlarmRate, 0.5);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AlertFalseAlarmRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AlertFalseAlarmRate, WarnFalseAlarmRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ColumnFalseAlarmRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ColumnFalseAlarmRate, 0.5);
        ArgumentOutOfRangeException.ThrowIfLessThan(ClassifierRows, ClassifierTwoSampleTest.MinRowsPerSide);
        ArgumentOutOfRangeException.ThrowIfLessThan(ClassifierRounds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(ClassifierPermutations);
        ArgumentOutOfRangeException.ThrowIfNegative(ClassifierShapRows);
        ArgumentOutOfRangeException.ThrowIfNegative(ClassifierTopFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(ReferenceSampleRows);
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
    }
}
