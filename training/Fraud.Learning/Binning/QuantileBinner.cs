namespace Fraud.Learning;

/// <summary>
/// Chooses histogram bin boundaries for one feature from its sorted non-missing values, after LightGBM's greedy
/// bin finder (Ke et al., 2017, section 2 "histogram-based algorithm"): each bin holds about the same number of
/// rows, a value frequent enough to fill a bin on its own gets one, and a feature with few distinct values keeps
/// one bin per value. Cuts sit halfway between neighbouring observed values, so a tree can store the raw cut as its
/// threshold and prediction never needs the bins.
/// </summary>
internal static class QuantileBinner
{
    /// <summary>Returns the ascending cuts; bin b holds values in (cuts[b-1], cuts[b]], the last bin everything above.</summary>
    public static float[] FindCuts(ReadOnlySpan<float> sorted, int maxBins)
    {
        if (sorted.IsEmpty)
        {
            return [];
        }

        // Distinct values and their counts, in ascending order.
        var distinct = new List<(float Value, int Count)>();
        var start = 0;
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i == sorted.Length || sorted[i] != sorted[start])
            {
                distinct.Add((sorted[start], i - start));
                start = i;
            }
        }

        var cuts = new List<float>(Math.Min(distinct.Count, maxBins));
        if (distinct.Count <= maxBins)
        {
            for (var i = 0; i + 1 < distinct.Count; i++)
            {
                cuts.Add(Midpoint(distinct[i].Value, distinct[i + 1].Value));
            }

            return [.. cuts];
        }

        double remaining = sorted.Length;
        var binsLeft = maxBins;
        var target = remaining / binsLeft;
        var inBin = 0;
        for (var i = 0; i + 1 < distinct.Count && binsLeft > 1; i++)
        {
            inBin += distinct[i].Count;
            // Close the bin when it is full, or early when the next value alone would fill a bin: that isolates
            // heavy values (zero spend, one unit) instead of smearing them over a bin shared with their neighbours.
            if (inBin >= target || distinct[i + 1].Count >= target)
            {
                cuts.Add(Midpoint(distinct[i].Value, distinct[i + 1].Value));
                remaining -= inBin;
                binsLeft--;
                inBin = 0;
                target = remaining / binsLeft;
            }
        }

        return [.. cuts];
    }

    /// <summary>Bin of a non-missing value: the first cut at or above it, or the last bin.</summary>
    public static int BinOf(ReadOnlySpan<float> cuts, float value)
    {
        int lo = 0, hi = cuts.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value <= cuts[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static float Midpoint(float a, float b)
    {
        var mid = (float)(((double)a + b) * 0.5);
        // Rounding may land on b for adjacent floats; a still separates the two values under "value <= cut".
        return mid < b && mid >= a ? mid : a;
    }
}
