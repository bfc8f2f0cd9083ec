using Fraud.Baskets;

namespace Fraud.Model.Drift;

/// <summary>
/// How often lines carry a goods code the reference never saw. The known set comes from the first half of the
/// reference baskets and the reference share is measured on the second half, so the reference already includes
/// the ordinary trickle of rare codes and only a real influx of new products reads as drift.
/// </summary>
public sealed class NoveltyProfile
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Goods codes seen in the first half of the reference, most frequent first (capped), sorted ordinally for lookup.</summary>
    public string[] Known { get; set; } = [];

    /// <summary>Lines of the second half whose code is in <see cref="Known"/>, then those whose code is not.</summary>
    public long[] Counts { get; set; } = [0, 0];

    /// <summary>Builds the profile; at most <paramref name="maxKnown"/> codes are kept.</summary>
    public static NoveltyProfile Build(string name, IReadOnlyList<Basket> baskets, int maxKnown)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var half = baskets.Count / 2;
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var b = 0; b < half; b++)
        {
            foreach (var item in baskets[b].Items)
            {
                var key = KeyOf(item);
                frequency[key] = frequency.GetValueOrDefault(key) + 1;
            }
        }

        var known = frequency.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxKnown).Select(kv => kv.Key).ToArray();
        Array.Sort(known, StringComparer.Ordinal);
        var profile = new NoveltyProfile { Name = name, Known = known };
        profile.Counts = profile.Count(baskets, half, baskets.Count);
        return profile;
    }

    /// <summary>Known and unseen line counts of baskets[<paramref name="from"/>..<paramref name="to"/>).</summary>
    public long[] Count(IReadOnlyList<Basket> baskets, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var counts = new long[2];
        for (var b = from; b < to; b++)
        {
            foreach (var item in baskets[b].Items)
            {
                counts[Array.BinarySearch(Known, KeyOf(item), StringComparer.Ordinal) >= 0 ? 0 : 1]++;
            }
        }

        return counts;
    }

    // An empty code is its own value: some retailers never send one, and that is not novelty.
    private static string KeyOf(BasketItem item) => item.GoodsCode.Trim();
}
