using System.Diagnostics;

namespace Fraud.Learning;

/// <summary>
/// One tree while it grows, as parallel node arrays. Children are always created after their parent, so every
/// child index is larger than its parent's; <see cref="GbdtModel"/> relies on that to reject cycles.
/// </summary>
internal sealed class TreeNodes
{
    public TreeNodes(int capacity)
    {
        Feature = new int[capacity];
        Bin = new int[capacity];
        Threshold = new float[capacity];
        DefaultLeft = new bool[capacity];
        Left = new int[capacity];
        Right = new int[capacity];
        Value = new double[capacity];
        Cover = new double[capacity];
        Gain = new double[capacity];
    }

    public int Count { get; private set; }

    /// <summary>Split feature, or -1 for a leaf.</summary>
    public int[] Feature { get; }

    /// <summary>Split bin: bins up to and including it go left (training-time form of <see cref="Threshold"/>).</summary>
    public int[] Bin { get; }

    /// <summary>Raw threshold: non-missing values at or below it go left.</summary>
    public float[] Threshold { get; }

    /// <summary>Where missing values go.</summary>
    public bool[] DefaultLeft { get; }

    public int[] Left { get; }

    public int[] Right { get; }

    /// <summary>Leaf output (already shrunk by the learning rate); for split nodes, what the node output before it split.</summary>
    public double[] Value { get; }

    /// <summary>Training rows that reached the node (TreeSHAP's cover; Lundberg et al., 2018).</summary>
    public double[] Cover { get; }

    /// <summary>Split gain (0 for leaves).</summary>
    public double[] Gain { get; }

    public int AddLeaf(double value, double cover)
    {
        Debug.Assert(Count < Feature.Length, "Tree capacity is 2 * NumLeaves - 1.");
        var node = Count++;
        Feature[node] = -1;
        Left[node] = -1;
        Right[node] = -1;
        Value[node] = value;
        Cover[node] = cover;
        return node;
    }

    public void SetSplit(int node, int feature, int bin, float threshold, bool defaultLeft, int left, int right, double gain)
    {
        Debug.Assert(left > node && right > node, "Children follow their parent.");
        Feature[node] = feature;
        Bin[node] = bin;
        Threshold[node] = threshold;
        DefaultLeft[node] = defaultLeft;
        Left[node] = left;
        Right[node] = right;
        Gain[node] = gain;
    }

    /// <summary>The leaf a training row reaches, evaluated on its bins.</summary>
    public int LeafOf(BinnedMatrix data, int row)
    {
        var node = 0;
        while (Feature[node] >= 0)
        {
            var feature = Feature[node];
            int bin = data.Bins[(feature * data.Rows) + row];
            var goLeft = bin == data.BinCounts[feature] ? DefaultLeft[node] : bin <= Bin[node];
            node = goLeft ? Left[node] : Right[node];
        }

        return node;
    }

    /// <summary>The leaf a raw row reaches, with the thresholds the final model will use.</summary>
    public int LeafOf(ReadOnlySpan<float> row)
    {
        var node = 0;
        while (Feature[node] >= 0)
        {
            var value = row[Feature[node]];
            var goLeft = float.IsNaN(value) ? DefaultLeft[node] : value <= Threshold[node];
            node = goLeft ? Left[node] : Right[node];
        }

        return node;
    }
}
