namespace Fraud.Baskets;

/// <summary>What <see cref="SyntheticBaskets"/> generates.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of baskets.</summary>
    public int Rows { get; init; } = 10_000;

    /// <summary>Seed of every random choice: the same seed gives the same baskets, byte for byte.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// A shifted population (more phones and gaming, fewer computers, higher prices) drawn through the
    /// same fraud mechanism, for drift checks.
    /// </summary>
    public bool Drift { get; init; }
}

/// <summary>A generated basket, the label drawn for it, and the true probability the label was drawn from.</summary>
public sealed record SyntheticBasket(Basket Basket, bool IsFraud, double FraudProbability);
