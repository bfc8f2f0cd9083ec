namespace Fraud.Model.Features;

/// <summary>How the line-price bands of the aggregates are placed (<see cref="FeaturizerOptions.PriceBands"/>).</summary>
public enum PriceBandMode
{
    /// <summary>At quantiles of the training rows' line prices, fitted at training time and stored in the model.</summary>
    Quantile,

    /// <summary>The base catalogue's fixed bounds (25 / 100 / 300 / 800 / 1,500; quantities from 100 / 500): for ablations only.</summary>
    Fixed,

    /// <summary>No bands (every line in the first band, no quantity threshold reached): for ablations only.</summary>
    None,
}

/// <summary>
/// The bounds of the six line-price bands (lines counted per band) and the two prices from which the largest quantity
/// of a line is counted. Fitted without labels on the training rows' line prices (each line with a price counts once)
/// at fixed quantile levels, so the features mean the same in any currency or price level: the fixed bounds of the
/// first layouts put nearly every line of a catalogue priced 9.6 × higher into the top band. The levels are where the
/// old fixed bounds sat on the base catalogue (25 → 10 %, 100 → 25 %, 300 → 43 %, 800 → 69 %, 1,500 → 91 %;
/// quantities from 100 → 25 % and 500 → 55 %), rounded.
/// </summary>
public sealed class PriceBands
{
    /// <summary>Bands have <see cref="Count"/> − 1 upper bounds.</summary>
    public const int Count = 6;

    /// <summary>Prices from which <c>max_quantity_price_*</c> counts a line's quantity.</summary>
    public const int QuantityThresholds = 2;

    private static readonly double[] BandLevels = [0.10, 0.25, 0.45, 0.70, 0.90];
    private static readonly double[] QuantityLevels = [0.25, 0.55];
    private static readonly double[] FixedBounds = [25, 100, 300, 800, 1500];
    private static readonly double[] FixedQuantityBounds = [100, 500];
    private static readonly double[] DecileLevels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>Prices of the cumulative decile counts of layout 5 (<c>lines_price_below_p10</c> … <c>_p90</c>).</summary>
    public const int Deciles = 9;

    public PriceBands(double[] bounds, double[] quantityBounds, double[]? decileBounds = null)
    {
        decileBounds ??= [];
        if (bounds.Length != Count - 1 || quantityBounds.Length != QuantityThresholds
            || !Ascending(bounds) || !Ascending(quantityBounds)
            || (decileBounds.Length != 0 && decileBounds.Length != Deciles) || !Ascending(decileBounds))
        {
            throw new ModelFormatException(
                $"The price bands need {Count - 1} and {QuantityThresholds} (and for layout 5, {Deciles} decile) finite, non-negative, ascending bounds.");
        }

        Bounds = bounds;
        QuantityBounds = quantityBounds;
        DecileBounds = decileBounds;
    }

    /// <summary>Upper bounds of the first five bands (a price equal to a bound falls in the band above).</summary>
    public double[] Bounds { get; }

    /// <summary>Prices from which a line's quantity counts for <c>max_quantity_price_p25_plus</c> and <c>_p55_plus</c>.</summary>
    public double[] QuantityBounds { get; }

    /// <summary>
    /// The 10 %, 20 %, … 90 % quantiles of the training line prices (layout 5), or empty (layouts 3 and 4). Layout 5
    /// counts the lines priced below each of them: a count of cheap lines at any cutoff, which disjoint bands cannot
    /// give a tree (it cannot add two band counts).
    /// </summary>
    public double[] DecileBounds { get; }

    /// <summary>Bands of <paramref name="mode"/>; quantile bands from <paramref name="prices"/> (the positive line prices, sorted in place).</summary>
    internal static PriceBands Fit(List<double> prices, PriceBandMode mode, bool deciles = false)
    {
        prices.Sort();
        // The deciles are always fitted quantiles (they are only an experiment beside the bands' modes).
        double[]? decileBounds = deciles ? Quantiles(prices, DecileLevels) : null;
        return mode switch
        {
            PriceBandMode.Fixed => new PriceBands([.. FixedBounds], [.. FixedQuantityBounds], decileBounds),
            PriceBandMode.None => new PriceBands([.. BandLevels.Select(_ => double.MaxValue)], [.. QuantityLevels.Select(_ => double.MaxValue)], decileBounds),
            _ => new PriceBands(Quantiles(prices, BandLevels), Quantiles(prices, QuantityLevels), decileBounds),
        };
    }

    /// <summary>The fixed bands layout 3 used (its models stored none).</summary>
    internal static PriceBands Legacy() => new([.. FixedBounds], [.. FixedQuantityBounds]);

    internal int Band(double price)
    {
        var band = 0;
        while (band < Bounds.Length && price >= Bounds[band])
        {
            band++;
        }

        return band;
    }

    internal bool SameAs(PriceBands other) =>
        Bounds.SequenceEqual(other.Bounds) && QuantityBounds.SequenceEqual(other.QuantityBounds) && DecileBounds.SequenceEqual(other.DecileBounds);

    private static double[] Quantiles(List<double> sorted, double[] levels) =>
        // No priced line at all: every bound 0, so every line falls in the top band (as a constant, no information).
        [.. levels.Select(q => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))])];

    private static bool Ascending(double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]) || values[i] < 0 || (i > 0 && values[i] < values[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
