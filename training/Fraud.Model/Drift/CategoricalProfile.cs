using Fraud.Baskets;

namespace Fraud.Model.Drift;

/// <summary>
/// The reference shares of an item-level category (item category or make): the top-K values by frequency plus
/// one "other" bucket, so a value never seen in training still lands somewhere and shows up as drift.
/// </summary>
public sealed class CategoricalProfile
{
    public const string ItemCategory = "item_category";
    public const string Make = "make";
    public const string OtherValue = "(other)";
    public const string NoneValue = "(none)";

    public string Name { get; set; } = string.Empty;

    /// <summary>The top-K normalised values, most frequent first.</summary>
    public string[] Values { get; set; } = [];

    /// <summary>Item counts per value, then one for "other" (<c>Values.Length + 1</c>).</summary>
    public long[] Counts { get; set; } = [];

    /// <summary>Counts the items of <paramref name="baskets"/> per normalised value and keeps the top <paramref name="topK"/>.</summary>
    public static CategoricalProfile Build(string name, IReadOnlyList<Basket> baskets, int topK)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var basket in baskets)
        {
            foreach (var item in basket.Items)
            {
                var key = KeyOf(name, item);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        // Ties broken by name so that the same data always gives the same profile.
        var top = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(topK).ToArray();
        var profile = new CategoricalProfile { Name = name, Values = [.. top.Select(kv => kv.Key)], Counts = new long[top.Length + 1] };
        long total = 0;
        foreach (var kv in counts)
        {
            total += kv.Value;
        }

        for (var i = 0; i < top.Length; i++)
        {
            profile.Counts[i] = top[i].Value;
            total -= top[i].Value;
        }

        profile.Counts[^1] = total;
        return profile;
    }

    /// <summary>The normalised value of <paramref name="item"/> for the profile called <paramref name="name"/>.</summary>
    public static string KeyOf(string name, BasketItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var raw = string.Equals(name, Make, StringComparison.Ordinal) ? item.Make : item.Item;
        var key = Fraud.Baskets.Categories.Normalize(raw);
        return key.Length == 0 ? NoneValue : key;
    }
}
