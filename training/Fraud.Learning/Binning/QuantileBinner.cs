namespace Fraud.Learning;

/// <summary>
/// Chooses histogram bin boundaries for one feature from its sorted non-missing values, after LightGBM's greedy
/// bin finder (Ke et al., 2017, section 2 "histogram-based algorithm"): each bin holds about the same number of
/// rows, a value frequent enough to fill a bin on its own gets one, and a feature with few distinct values keeps
/// one bin per value. With more distinct values than bins, 3/16 of the bins are reserved for each tail (the extreme 2%
/// of rows), because a rare class concentrated there would otherwise share two or three bins. Cuts sit halfway between neighbouring observed values, so a tree can store the raw cut as its
/// threshold and prediction never needs the bins.
/// </summary>
internal static class QuantileBinner
{
    /// <summary>Share of the rows at each end of a feature that gets its own reserved bins.</summary>
    private const double TailShare = 0.02;

    /// <summary>Returns the ascending cuts; bin b holds values in (cuts[b-1], cuts[b]], the last bin everything above.</summary>
    /// <param name="sorted">The non-missing, non-zero values, ascending.</param>
    /// <param name="zeros">How many values were exactly zero: basket features are mostly zero, and leaving the zeros
    /// out of the sort makes binning several times faster.</param>
    /// <param name="maxBins">Upper bound on the number of bins.</param>
    public static float[] FindCuts(ReadOnlySpan<float> sorted, int zeros, int maxBins)
    {
        if (sorted.IsEmpty && zeros == 0)
        {
            return [];
        }

        // Distinct values and their counts, in ascending order, with zero slotted in where it belongs.
        var distinct = new List<(float Value, int Count)>();
        var start = 0;
        var zeroPending = zeros > 0;
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i == sorted.Length || sorted[i] != sorted[start])
            {
                if (zeroPending && sorted[start] > 0)
                {
                    distinct.Add((0f, zeros));
                    zeroPending = false;
                }

                distinct.Add((sorted[start], i - start));
                start = i;
            }
        }

        if (zeroPending)
        {
            distinct.Add((0f, zeros));
        }

        var total = sorted.Length + zeros;

        if (distinct.Count <= maxBins)
        {
            var cuts = new List<float>(distinct.Count);
            for (var i = 0; i + 1 < distinct.Count; i++)
            {
                cuts.Add(Midpoint(distinct[i].Value, distinct[i + 1].Value));
            }

            return [.. cuts];
        }

        // Equal-frequency bins put only 1/maxBins of the rows in each bin, so the top percent of a feature, where a
        // rare class usually lives, gets two or three bins and its rows tie. A share of the bins is reserved for each
        // tail (the extreme TailShare of the rows on either side), placed at equal-frequency ranks inside the tail.
        var tailBins = maxBins * 3 / 16;
        var bodyBins = maxBins - (2 * tailBins);
        var chosen = new SortedSet<float>(BodyCuts(distinct, total, bodyBins));
        if (tailBins > 0)
        {
            var ranks = new double[2 * tailBins];
            for (var k = 0; k < tailBins; k++)
            {
                ranks[k] = total * TailShare * (k + 1) / tailBins;
                ranks[tailBins + k] = total * (1 - TailShare + (TailShare * k / tailBins));
            }

            AddRankCuts(distinct, ranks, chosen);
        }

        return [.. chosen];
    }

    /// <summary>The greedy equal-frequency cuts over all values (at most <paramref name="maxBins"/> − 1).</summary>
    private static List<float> BodyCuts(List<(float Value, int Count)> distinct, int total, int maxBins)
    {
        var cuts = new List<float>(maxBins);
        double remaining = total;
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

        return cuts;
    }

    /// <summary>Adds, for each ascending rank, the cut just above the distinct value that holds that rank.</summary>
    private static void AddRankCuts(List<(float Value, int Count)> distinct, double[] ranks, SortedSet<float> cuts)
    {
        Array.Sort(ranks);
        var i = 0;
        long seen = distinct[0].Count;
        foreach (var rank in ranks)
        {
            while (seen < rank && i + 1 < distinct.Count)
            {
                i++;
                seen += distinct[i].Count;
            }

            if (i + 1 < distinct.Count)
            {
                cuts.Add(Midpoint(distinct[i].Value, distinct[i + 1].Value));
            }
        }
    }

    /// <summary>Bin of a non-missing value: the number of cuts below it (so the first cut at or above it).</summary>
    public static int BinOf(ReadOnlySpan<float> cuts, float value)
    {
        // Branch-free lower bound: the selects compile to conditional moves, so random values cost no mispredictions.
        var lo = 0;
        var n = cuts.Length;
        while (n > 0)
        {
            var half = n >> 1;
            var less = cuts[lo + half] < value;
            lo = less ? lo + half + 1 : lo;
            n = less ? n - half - 1 : half;
        }

        return lo;
    }

    private static float Midpoint(float a, float b)
    {
        var mid = (float)(((double)a + b) * 0.5);
        if (!float.IsFinite(mid))
        {
            // Infinite feature values: keep every stored threshold finite (model files reject anything else).
            return float.IsFinite(a) ? a : float.MinValue;
        }

        // Rounding may land on b for adjacent floats; a still separates the two values under "value <= cut".
        return mid < b && mid >= a ? mid : a;
    }
}
