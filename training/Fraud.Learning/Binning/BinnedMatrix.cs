namespace Fraud.Learning;

/// <summary>
/// The training matrix quantised to one byte per cell, stored column-major so that building one feature's histogram
/// reads one contiguous column (LightGBM's layout; Ke et al., 2017). Bin <c>BinCount[f]</c> of feature f is its
/// missing-value bin, so a split can learn where NaN goes (XGBoost's sparsity-aware default direction; Chen &amp;
/// Guestrin, 2016, Algorithm 3).
/// </summary>
internal sealed class BinnedMatrix
{
    /// <summary>
    /// A feature whose most frequent bin holds at least this share of rows also gets a sparse copy: the rows outside
    /// that bin. Basket features are mostly such (a category's spend is zero in most baskets), and a histogram over a
    /// large leaf then touches only those rows (LightGBM's sparse bins; Ke et al., 2017, section 4).
    /// </summary>
    private const double SparseShare = 0.5;

    /// <summary>Features binned together by one worker.</summary>
    private const int FeatureGroup = 16;

    /// <summary>Above this many rows, bin boundaries are fitted on an evenly strided sample (LightGBM uses 200,000).</summary>
    private const int BinSampleRows = 200_000;

    private BinnedMatrix(int rows, int features, byte[] bins, float[][] cuts, int[] defaultBins, int[]?[] sparseRows)
    {
        Rows = rows;
        Features = features;
        Bins = bins;
        Cuts = cuts;
        DefaultBins = defaultBins;
        SparseRows = sparseRows;
        HasMissing = new bool[features];
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

    /// <summary>Per feature, whether any training row is missing it (a feature with one value can still split on that).</summary>
    public bool[] HasMissing { get; }

    /// <summary>Per feature, its most frequent bin.</summary>
    public int[] DefaultBins { get; }

    /// <summary>Per feature, the ascending rows whose bin is not the default one; null when the feature is dense.</summary>
    public int[]?[] SparseRows { get; }


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
        var defaultBins = new int[features];
        var sparseRows = new int[]?[features];
        var bins = new byte[(long)rows * features];
        var stride = rows <= BinSampleRows ? 1 : (rows + BinSampleRows - 1) / BinSampleRows;
        var groups = Parallelism.ChunkCount(features, FeatureGroup);
        Parallelism.For(groups, threads, group =>
        {
            // Copy a group of columns out of the row-major matrix together: each row contributes one cache line
            // instead of one cache miss per feature.
            var first = group * FeatureGroup;
            var width = Math.Min(FeatureGroup, features - first);
            var columns = new float[width * rows];
            var values = x.Values;
            for (var r = 0; r < rows; r++)
            {
                var row = values.AsSpan((r * features) + first, width);
                for (var j = 0; j < width; j++)
                {
                    columns[(j * rows) + r] = row[j];
                }
            }

            var sample = new float[(rows + stride - 1) / stride];
            for (var j = 0; j < width; j++)
            {
                var f = first + j;
                var column = columns.AsSpan(j * rows, rows);
                var n = 0;
                var zeros = 0;
                for (var r = 0; r < rows; r += stride)
                {
                    var v = column[r];
                    if (v == 0)
                    {
                        zeros++;
                    }
                    else if (!float.IsNaN(v))
                    {
                        sample[n++] = v;
                    }
                }

                var sorted = sample.AsSpan(0, n);
                sorted.Sort();
                var featureCuts = QuantileBinner.FindCuts(sorted, zeros, maxBins);
                cuts[f] = featureCuts;

                var missingBin = (byte)(featureCuts.Length + 1);
                var binColumn = bins.AsSpan(f * rows, rows);
                for (var r = 0; r < rows; r++)
                {
                    var v = column[r];
                    binColumn[r] = float.IsNaN(v) ? missingBin : (byte)QuantileBinner.BinOf(featureCuts, v);
                }

                (defaultBins[f], sparseRows[f]) = SparseCopy(binColumn, featureCuts.Length + 2);
            }
        });

        var binned = new BinnedMatrix(rows, features, bins, cuts, defaultBins, sparseRows);
        for (var f = 0; f < features; f++)
        {
            binned.HasMissing[f] = binned.Column(f).Contains((byte)binned.BinCounts[f]);
        }

        return binned;
    }

    private static (int DefaultBin, int[]? Rows) SparseCopy(ReadOnlySpan<byte> column, int slots)
    {
        Span<int> counts = stackalloc int[256];
        foreach (var bin in column)
        {
            counts[bin]++;
        }

        var defaultBin = 0;
        for (var b = 1; b < slots; b++)
        {
            if (counts[b] > counts[defaultBin])
            {
                defaultBin = b;
            }
        }

        if (counts[defaultBin] < SparseShare * column.Length)
        {
            return (defaultBin, null);
        }

        var rows = new int[column.Length - counts[defaultBin]];
        var n = 0;
        for (var r = 0; r < column.Length; r++)
        {
            if (column[r] != defaultBin)
            {
                rows[n++] = r;
            }
        }

        return (defaultBin, rows);
    }
}
