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

    /// <summary>
    /// Which fraud mechanism labels the baskets, each over its own catalogue variant (makes, model names, goods-code
    /// format, price level): <see cref="FraudMechanismKind.Retail"/> is the original generator, byte for byte.
    /// </summary>
    public FraudMechanismKind Mechanism { get; init; } = FraudMechanismKind.Retail;
}

/// <summary>
/// Fraud mechanisms that differ in kind, not only in coefficients: what in a basket makes it risky. A model is judged on
/// each (trained and tested on the same one), so that its features capture basket signals in general rather than one
/// generator's formula.
/// </summary>
public enum FraudMechanismKind
{
    /// <summary>The original mixture: resellable value, repeated risky units, hot items, price bands, cover and delivery.</summary>
    Retail,

    /// <summary>Several units of resellable goods in one basket, to sell on.</summary>
    Reseller,

    /// <summary>One high-value, resellable item delivered to an address, bought on someone else's identity.</summary>
    StolenIdentity,

    /// <summary>Many low-value lines stuffed into one basket (testing a credit line, small items under the radar).</summary>
    Stuffing,
}

/// <summary>Command-line names of <see cref="FraudMechanismKind"/>.</summary>
public static class FraudMechanisms
{
    public static IReadOnlyList<FraudMechanismKind> All { get; } = Enum.GetValues<FraudMechanismKind>();

    public static string Name(FraudMechanismKind kind) => kind switch
    {
        FraudMechanismKind.Reseller => "reseller",
        FraudMechanismKind.StolenIdentity => "stolen-identity",
        FraudMechanismKind.Stuffing => "stuffing",
        _ => "retail",
    };

    /// <summary>Parses a command-line name; false for anything else.</summary>
    public static bool TryParse(string? text, out FraudMechanismKind kind)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = FraudMechanismKind.Retail;
        return false;
    }
}

/// <summary>A generated basket, the label drawn for it, and the true probability the label was drawn from.</summary>
public sealed record SyntheticBasket(Basket Basket, bool IsFraud, double FraudProbability);
