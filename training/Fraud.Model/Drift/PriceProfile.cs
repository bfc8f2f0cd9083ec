using Fraud.Baskets;

namespace Fraud.Model.Drift;

/// <summary>
/// Unit prices per item category (mean and variance of the log price of priced lines), so that a price change can be
/// told apart from a mix change: the price index compares each category with itself and weighs the categories by their
/// reference share (a Laspeyres-type index), so more televisions in the baskets is not "prices went up".
/// </summary>
public sealed class PriceProfile
{
    /// <summary>Normalised item categories, as in the item-category profile.</summary>
    public string[] Categories { get; set; } = [];

    /// <summary>Priced lines per category.</summary>
    public long[] Lines { get; set; } = [];

    /// <summary>Mean of ln(unit price) per category.</summary>
    public double[] MeanLogPrice { get; set; } = [];

    /// <summary>Variance of ln(unit price) per category.</summary>
    public double[] VarianceLogPrice { get; set; } = [];

    /// <summary>Profiles the unit prices of <paramref name="baskets"/> for <paramref name="categories"/>.</summary>
    public static PriceProfile Build(IReadOnlyList<Basket> baskets, string[] categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var (lines, mean, variance) = Moments(baskets, categories);
        return new PriceProfile { Categories = categories, Lines = lines, MeanLogPrice = mean, VarianceLogPrice = variance };
    }

    /// <summary>
    /// The price change of <paramref name="baskets"/> against this profile, like for like: exp(Σ w_c·Δ_c) − 1 over
    /// categories priced on both sides (at least <paramref name="minLines"/> lines each), with w_c the reference
    /// shares, and its z-score. Null when no category qualifies.
    /// </summary>
    public (double Change, double Z)? Compare(IReadOnlyList<Basket> baskets, int minLines = 20)
    {
        var (lines, mean, variance) = Moments(baskets, Categories);
        double weights = 0;
        for (var c = 0; c < Categories.Length; c++)
        {
            weights += lines[c] >= minLines && Lines[c] >= minLines ? Lines[c] : 0;
        }

        if (weights == 0)
        {
            return null;
        }

        double shift = 0, variance2 = 0;
        for (var c = 0; c < Categories.Length; c++)
        {
            if (lines[c] < minLines || Lines[c] < minLines)
            {
                continue;
            }

            var w = Lines[c] / weights;
            shift += w * (mean[c] - MeanLogPrice[c]);
            variance2 += w * w * ((VarianceLogPrice[c] / Lines[c]) + (variance[c] / lines[c]));
        }

        var z = variance2 > 0 ? shift / Math.Sqrt(variance2) : 0;
        return (Math.Exp(shift) - 1, z);
    }

    private static (long[] Lines, double[] Mean, double[] Variance) Moments(IReadOnlyList<Basket> baskets, string[] categories)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var index = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (var c = 0; c < categories.Length; c++)
        {
            index[categories[c]] = c;
        }

        var lines = new long[categories.Length];
        var mean = new double[categories.Length];
        var m2 = new double[categories.Length];
        foreach (var basket in baskets)
        {
            foreach (var item in basket.Items)
            {
                // Free lines (a bundled gift) have no log price; they say nothing about price levels.
                if (!(item.CashPrice > 0) || !index.TryGetValue(CategoricalProfile.KeyOf(CategoricalProfile.ItemCategory, item), out var c))
                {
                    continue;
                }

                // Welford's update: one pass, stable.
                var v = Math.Log(item.CashPrice);
                lines[c]++;
                var delta = v - mean[c];
                mean[c] += delta / lines[c];
                m2[c] += delta * (v - mean[c]);
            }
        }

        var variance = new double[categories.Length];
        for (var c = 0; c < categories.Length; c++)
        {
            variance[c] = lines[c] > 1 ? m2[c] / (lines[c] - 1) : 0;
        }

        return (lines, mean, variance);
    }
}
