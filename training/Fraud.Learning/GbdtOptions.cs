namespace Fraud.Learning;

/// <summary>
/// Hyper-parameters of <see cref="GbdtTrainer"/>. Names and defaults follow LightGBM (Ke et al., 2017) where it has an
/// equivalent, so published tuning advice carries over.
/// </summary>
public sealed record GbdtOptions
{
    /// <summary>Maximum number of boosting rounds (trees).</summary>
    public int NumRounds { get; init; } = 500;

    /// <summary>Shrinkage applied to every leaf value.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Maximum leaves per tree; trees grow best-first (leaf-wise) until they reach it.</summary>
    public int NumLeaves { get; init; } = 31;

    /// <summary>Maximum depth of a leaf; 0 or negative means unlimited (only <see cref="NumLeaves"/> bounds the tree).</summary>
    public int MaxDepth { get; init; } = -1;

    /// <summary>Minimum number of (bagged) training rows in a leaf.</summary>
    public int MinDataInLeaf { get; init; } = 20;

    /// <summary>Minimum sum of hessians in a leaf.</summary>
    public double MinHessianInLeaf { get; init; } = 1e-3;

    /// <summary>L2 regularisation (lambda) on leaf values.</summary>
    public double L2 { get; init; } = 1.0;

    /// <summary>Minimum split gain (same scale as LightGBM's <c>min_gain_to_split</c>).</summary>
    public double MinGainToSplit { get; init; }

    /// <summary>Fraction of features sampled (without replacement) for each tree.</summary>
    public double FeatureFraction { get; init; } = 1.0;

    /// <summary>Fraction of rows sampled (without replacement, Bernoulli) for each tree.</summary>
    public double BaggingFraction { get; init; } = 1.0;

    /// <summary>Maximum histogram bins per feature for non-missing values (2–255); missing values get one more bin.</summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>Weight of each positive example in the log-loss (the <c>scale_pos_weight</c> of XGBoost/LightGBM).</summary>
    public double PositiveWeight { get; init; } = 1.0;

    /// <summary>
    /// Stop when neither the (smoothed) validation PR-AUC nor the validation log-loss has improved for this many
    /// rounds; 0 disables early stopping.
    /// </summary>
    public int EarlyStoppingRounds { get; init; } = 50;

    /// <summary>Early stopping never stops before this many rounds (the kept round may still be earlier).</summary>
    public int MinRounds { get; init; }

    /// <summary>
    /// Half-width of the centred window of rounds over which validation PR-AUC is averaged before choosing the round
    /// to keep; 0 keeps the raw maximum. Rare positives make per-round PR-AUC noisy, so the raw maximum favours a lucky
    /// early round.
    /// </summary>
    public int EarlyStoppingSmoothing { get; init; }

    /// <summary>Seed of every random choice (bagging, feature sampling).</summary>
    public int Seed { get; init; }

    /// <summary>Worker threads; 0 means <see cref="Environment.ProcessorCount"/>. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumRounds);
        CheckPositiveFinite(LearningRate, nameof(LearningRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumLeaves, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinDataInLeaf);
        CheckNonNegativeFinite(MinHessianInLeaf, nameof(MinHessianInLeaf));
        CheckNonNegativeFinite(L2, nameof(L2));
        CheckNonNegativeFinite(MinGainToSplit, nameof(MinGainToSplit));
        CheckFraction(FeatureFraction, nameof(FeatureFraction));
        CheckFraction(BaggingFraction, nameof(BaggingFraction));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBins, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBins, 255);
        CheckPositiveFinite(PositiveWeight, nameof(PositiveWeight));
        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingRounds);
        ArgumentOutOfRangeException.ThrowIfNegative(MinRounds);
        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingSmoothing);
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
    }

    internal int EffectiveThreads => Threads == 0 ? Environment.ProcessorCount : Threads;

    private static void CheckPositiveFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
        }
    }

    private static void CheckNonNegativeFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");
        }
    }

    private static void CheckFraction(double value, string name)
    {
        if (!(value > 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, 1].");
        }
    }
}
