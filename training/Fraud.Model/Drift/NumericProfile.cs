using System.Text.Json.Serialization;

namespace Fraud.Model.Drift;

/// <summary>
/// The reference distribution of one number: quantile bin edges with their counts (for PSI) and a grid of
/// percentiles with the exact reference CDF at each (for KS). Non-finite values count as missing.
/// </summary>
public sealed class NumericProfile
{
    /// <summary>Points of the KS grid: the 0th to 100th percentile.</summary>
    public const int GridPoints = 101;

    public string Name { get; set; } = string.Empty;

    /// <summary>Distinct upper edges; bin i holds values in (Edges[i-1], Edges[i]], the last bin everything above.</summary>
    public double[] Edges { get; set; } = [];

    /// <summary>Reference counts per bin (<c>Edges.Length + 1</c> of them).</summary>
    public long[] Counts { get; set; } = [];

    /// <summary>Reference rows with a missing or non-finite value.</summary>
    public long Missing { get; set; }

    /// <summary>Percentiles of the finite reference values (empty when all are missing).</summary>
    public double[] Quantiles { get; set; } = [];

    /// <summary>Share of finite reference values at or below each of <see cref="Quantiles"/>.</summary>
    public double[] CdfAtQuantiles { get; set; } = [];

    /// <summary>Mean of the finite reference values (null in profiles written before it was kept), for the reason text.</summary>
    public double? Mean { get; set; }

    /// <summary>Total reference rows, finite or not.</summary>
    [JsonIgnore]
    public long Total => Missing + Sum(Counts);

    /// <summary>Profiles <paramref name="values"/>; the array is sorted in place.</summary>
    public static NumericProfile Build(string name, double[] values, int bins)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        var finite = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]))
            {
                values[finite++] = values[i];
            }
        }

        var profile = new NumericProfile { Name = name, Missing = values.Length - finite };
        var sorted = values.AsSpan(0, finite);
        sorted.Sort();
        if (finite == 0)
        {
            profile.Counts = [0];
            return profile;
        }

        // Edges at the inner quantiles taken from the data itself, so ties (a count that is mostly 0) stay in one bin.
        var edges = new List<double>(bins);
        for (var b = 1; b < bins; b++)
        {
            var edge = sorted[QuantileIndex(finite, (double)b / bins)];
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        double sum = 0;
        foreach (var v in sorted)
        {
            sum += v;
        }

        profile.Mean = sum / finite;
        profile.Edges = [.. edges];
        profile.Counts = new long[profile.Edges.Length + 1];
        foreach (var v in sorted)
        {
            profile.Counts[DriftStatistics.BinOf(profile.Edges, v)]++;
        }

        profile.Quantiles = new double[GridPoints];
        profile.CdfAtQuantiles = new double[GridPoints];
        for (var g = 0; g < GridPoints; g++)
        {
            var q = sorted[QuantileIndex(finite, g / (double)(GridPoints - 1))];
            profile.Quantiles[g] = q;
            profile.CdfAtQuantiles[g] = UpperBound(sorted, q) / (double)finite;
        }

        return profile;
    }

    private static int QuantileIndex(int n, double p) => Math.Clamp((int)Math.Floor(p * (n - 1)), 0, n - 1);

    private static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static long Sum(long[] counts)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        return total;
    }
}
