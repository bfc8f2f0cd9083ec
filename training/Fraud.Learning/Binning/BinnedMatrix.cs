namespace Fraud.Learning;

/// <summary>
/// The training matrix quantised to one byte per cell, stored column-major so that building one feature's histogram
/// reads one contiguous column (LightGBM's layout; Ke et al., 2017). Bin <c>BinCount[f]</c> of feature f is its
/// missing-value bin, so a split can learn where NaN goes (XGBoost's sparsity-aware default direction; Chen &amp;
/// Guestrin, 2016, Algorithm 3).
/// </summary>
internal sealed class BinnedMatrix
{
    /// <summary>Above this many rows, bin boundaries are fitted on an evenly strided sample (LightGBM uses 200,000).</summary>
    private const int BinSampleRows = 200_000;

    private BinnedMatrix(int rows, int features, byte[] bins, float[][] cuts)
    {
        Rows = rows;
        Features = features;
        Bins = bins;
        Cuts = cuts;
        BinCounts = new int[features];
        HistogramOffsets = new int[features];
        var offset = 0;
        for (var f = 0; f < features; f++)
        {
            BinCounts[f] = cuts[f].Length + 1;
            HistogramOffsets[f] = offset;
            offset += BinCounts[f] + 1;
        }

        TotalBins = offset;
    }

    public int Rows { get; }

    public int Features { get; }

    /// <summary>Column-major bins: cell (r, f) at <c>f * Rows + r</c>.</summary>
    public byte[] Bins { get; }

    /// <summary>Per feature, the ascending cuts between its non-missing bins.</summary>
    public float[][] Cuts { get; }

    /// <summary>Per feature, the number of non-missing bins; that index is also the missing bin.</summary>
    public int[] BinCounts { get; }

    /// <summary>Start of each feature's slots (BinCounts[f] + 1 of them) in a histogram.</summary>
    public int[] HistogramOffsets { get; }

    /// <summary>Slots in one full histogram.</summary>
    public int TotalBins { get; }

    public ReadOnlySpan<byte> Column(int feature) => Bins.AsSpan(feature * Rows, Rows);

    /// <summary>The raw threshold equivalent to "bin &lt;= <paramref name="bin"/>" for non-missing values.</summary>
    public float Threshold(int feature, int bin)
    {
        var cuts = Cuts[feature];
        return bin < cuts.Length ? cuts[bin] : float.MaxValue;
    }

    public static BinnedMatrix Build(FeatureMatrix x, int maxBins, int threads)
    {
        var rows = x.Rows;
        var features = x.Columns;
        var cuts = new float[features][];
        var bins = new byte[(long)rows * features];
        var stride = rows <= BinSampleRows ? 1 : (rows + BinSampleRows - 1) / BinSampleRows;
        Parallelism.For(features, threads, f =>
        {
            var values = x.Values;
            var sample = new float[(rows + stride - 1) / stride];
            var n = 0;
            for (var r = 0; r < rows; r += stride)
            {
                var v = values[(r * features) + f];
                if (!float.IsNaN(v))
                {
                    sample[n++] = v;
                }
            }

            var sorted = sample.AsSpan(0, n);
            sorted.Sort();
            var featureCuts = QuantileBinner.FindCuts(sorted, maxBins);
            cuts[f] = featureCuts;

            var missingBin = (byte)(featureCuts.Length + 1);
            var column = bins.AsSpan(f * rows, rows);
            for (var r = 0; r < rows; r++)
            {
                var v = values[(r * features) + f];
                column[r] = float.IsNaN(v) ? missingBin : (byte)QuantileBinner.BinOf(featureCuts, v);
            }
        });

        return new BinnedMatrix(rows, features, bins, cuts);
    }
}
