using Fraud.Baskets;

namespace Fraud.Monitoring;

/// <summary>The traffic shapes <c>fraud simulate</c> can send.</summary>
public enum Scenario
{
    /// <summary>The generator's ordinary population.</summary>
    Standard,

    /// <summary>A fraud burst: the same population with about ten times the fraud rate.</summary>
    Attack,

    /// <summary>A shifted population (product mix and prices) under the same fraud mechanism.</summary>
    Drift,
}

/// <summary>
/// Generated traffic for the scenarios, deterministic in the seed. The attack oversamples the generator's
/// fraudulent (high-risk) baskets: every fraud is kept and genuine baskets are thinned so that the fraud rate
/// is <see cref="AttackMultiplier"/> times the standard one.
/// </summary>
public static class ScenarioTraffic
{
    public const double AttackMultiplier = 10;

    // Enough rows to estimate the generator's base fraud rate for the attack's thinning.
    private const int RateProbeRows = 20_000;

    /// <summary>Parses a scenario name (case-insensitive); null when unknown.</summary>
    public static Scenario? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "standard" => Scenario.Standard,
        "attack" => Scenario.Attack,
        "drift" => Scenario.Drift,
        _ => null,
    };

    /// <summary>Streams <paramref name="count"/> baskets of <paramref name="scenario"/> with their labels.</summary>
    public static IEnumerable<SyntheticBasket> Generate(Scenario scenario, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return scenario switch
        {
            Scenario.Standard => SyntheticBaskets.Generate(new GeneratorOptions { Rows = count, Seed = seed }),
            Scenario.Drift => SyntheticBaskets.Generate(new GeneratorOptions { Rows = count, Seed = seed, Drift = true }),
            Scenario.Attack => Attack(count, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "Unknown scenario."),
        };
    }

    private static IEnumerable<SyntheticBasket> Attack(int count, int seed)
    {
        var probe = SyntheticBaskets.Generate(new GeneratorOptions { Rows = RateProbeRows, Seed = seed }).Count(b => b.IsFraud);
        var baseRate = Math.Max(probe, 1) / (double)RateProbeRows;
        var target = Math.Min(baseRate * AttackMultiplier, 0.9);
        // frauds / (frauds + keep · genuine) = target, with frauds:genuine = base : 1 − base.
        var keepGenuine = baseRate * (1 - target) / (target * (1 - baseRate));
        var random = new Random(seed);
        var produced = 0;
        // Unbounded source: ids stay unique because the generator numbers rows; we stop after count kept.
        foreach (var basket in SyntheticBaskets.Generate(new GeneratorOptions { Rows = int.MaxValue, Seed = seed }))
        {
            if (produced >= count)
            {
                yield break;
            }

            if (basket.IsFraud || random.NextDouble() < keepGenuine)
            {
                produced++;
                yield return basket;
            }
        }
    }
}
