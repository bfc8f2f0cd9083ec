using System.Globalization;
using Fraud.Baskets;

namespace Fraud.Monitoring;

/// <summary>
/// Population shifts applied to baskets after they were generated, for the drift bench and tests: they move one
/// basket signal at a time (product mix, prices, basket size, new goods codes) the way another retailer's or a later
/// season's baskets would, without touching the generator. Each is seeded.
/// </summary>
public static class BasketShifts
{
    /// <summary>
    /// Resamples <paramref name="count"/> baskets from <paramref name="pool"/> (with replacement) with weight Π f_c over
    /// the distinct categories c of each basket, so a category's basket share moves by about its factor while each
    /// basket stays a real basket (no edited lines).
    /// </summary>
    public static List<Basket> ResampleByCategory(IReadOnlyList<Basket> pool, IReadOnlyDictionary<string, double> factors, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var cumulative = new double[pool.Count];
        double total = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var b = 0; b < pool.Count; b++)
        {
            seen.Clear();
            var weight = 1.0;
            foreach (var item in pool[b].Items)
            {
                var category = Categories.Normalize(item.Item);
                if (seen.Add(category) && factors.TryGetValue(category, out var factor))
                {
                    weight *= factor;
                }
            }

            total += weight;
            cumulative[b] = total;
        }

        var random = new Random(seed);
        var result = new List<Basket>(count);
        for (var i = 0; i < count; i++)
        {
            var at = Array.BinarySearch(cumulative, random.NextDouble() * total);
            var index = Math.Min(at < 0 ? ~at : at, pool.Count - 1);
            result.Add(pool[index] with { Id = string.Create(CultureInfo.InvariantCulture, $"{pool[index].Id}-r{i}") });
        }

        return result;
    }

    /// <summary>
    /// The factors of a mix shift chosen from the data, not from a generator: the most common category (by baskets)
    /// halved, the fourth and sixth most common tripled.
    /// </summary>
    public static Dictionary<string, double> MixFactors(IReadOnlyList<Basket> baskets)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var basket in baskets)
        {
            seen.Clear();
            foreach (var item in basket.Items)
            {
                var category = Categories.Normalize(item.Item);
                if (seen.Add(category))
                {
                    counts[category] = counts.GetValueOrDefault(category) + 1;
                }
            }
        }

        var ranked = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToList();
        var factors = new Dictionary<string, double>(StringComparer.Ordinal);
        if (ranked.Count > 0)
        {
            factors[ranked[0]] = 0.5;
        }

        foreach (var rank in new[] { 3, 5 })
        {
            if (rank < ranked.Count)
            {
                factors[ranked[rank]] = 3;
            }
        }

        return factors;
    }

    /// <summary>Every unit price times <paramref name="factor"/>.</summary>
    public static List<Basket> ScalePrices(IReadOnlyList<Basket> baskets, double factor)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        return [.. baskets.Select(b => b with { Items = [.. b.Items.Select(i => i with { CashPrice = Math.Round(i.CashPrice * factor, 2) })] })];
    }

    /// <summary>One more line per basket (while under 24), copied from a random line of another basket.</summary>
    public static List<Basket> AddLine(IReadOnlyList<Basket> baskets, int seed)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var random = new Random(seed);
        var result = new List<Basket>(baskets.Count);
        foreach (var basket in baskets)
        {
            if (basket.Items.Count >= Basket.MaxItems || baskets.Count == 0)
            {
                result.Add(basket);
                continue;
            }

            var donor = baskets[random.Next(baskets.Count)];
            var line = donor.Items[random.Next(donor.Items.Count)];
            result.Add(basket with { Items = [.. basket.Items, line] });
        }

        return result;
    }

    /// <summary>Replaces the goods code of a <paramref name="share"/> of lines with a code no catalogue holds.</summary>
    public static List<Basket> NewGoodsCodes(IReadOnlyList<Basket> baskets, double share, int seed)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentOutOfRangeException.ThrowIfNegative(share);
        var random = new Random(seed);
        return [.. baskets.Select(b => b with
        {
            Items = [.. b.Items.Select(i => random.NextDouble() < share
                ? i with { GoodsCode = string.Create(CultureInfo.InvariantCulture, $"9{random.Next(10_000_000, 99_999_999)}") }
                : i)],
        })];
    }
}
