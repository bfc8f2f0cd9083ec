namespace Fraud.Learning;

/// <summary>
/// Precomputed TreeSHAP for shallow trees, after "Fast TreeSHAP v2" (Yang, 2021). Path-dependent TreeSHAP gives
/// feature i, for a leaf with value v whose path has the distinct features P (d = |P|), the amount
/// <c>v · (o_i − z_i) · Σ_{S ⊆ P∖{i}} |S|!(d−|S|−1)!/d! · Π_{j∈S} o_j · Π_{j∈P∖S∖{i}} z_j</c>, where z_j is the product
/// of the cover ratios of the path's splits on j and o_j is 1 when the row takes the path's side at every split on
/// j, else 0. Only the o_j depend on the row, and they are bits: so each leaf stores its amount for every feature of
/// P and every one of the 2^d bit patterns, and explaining a row costs one pass over the path per leaf and d
/// additions, instead of the O(d²) EXTEND/UNWIND work per leaf of the recursive algorithm. A tree with a leaf deeper
/// than <see cref="MaxDistinctFeatures"/> distinct features is left to the recursive algorithm (its table would be
/// too large); so are the trees past a memory budget. Built once per model, on its first explanation; immutable.
/// </summary>
internal sealed class ShapTables
{
    /// <summary>Most distinct features on a leaf's path for a table: 2^6 · 6 amounts per leaf.</summary>
    public const int MaxDistinctFeatures = 6;

    /// <summary>Most amounts stored over all trees (8 M doubles, 64 MB); later trees use the recursive algorithm.</summary>
    private const long Budget = 8L << 20;

    private readonly int[] _treeLeafStart;
    private readonly int[] _leafStepStart;
    private readonly int[] _leafFeatureStart;
    private readonly int[] _leafTableStart;
    private readonly int[] _stepNode;
    private readonly int[] _stepChild;
    private readonly int[] _stepBit;
    private readonly int[] _features;
    private readonly double[] _amounts;

    private ShapTables(bool[] tabled, int[] treeLeafStart, int[] leafStepStart, int[] leafFeatureStart, int[] leafTableStart, int[] stepNode, int[] stepChild, int[] stepBit, int[] features, double[] amounts)
    {
        Tabled = tabled;
        _treeLeafStart = treeLeafStart;
        _leafStepStart = leafStepStart;
        _leafFeatureStart = leafFeatureStart;
        _leafTableStart = leafTableStart;
        _stepNode = stepNode;
        _stepChild = stepChild;
        _stepBit = stepBit;
        _features = features;
        _amounts = amounts;
    }

    /// <summary>Per tree: true when its contributions come from the tables.</summary>
    public bool[] Tabled { get; }

    /// <summary>Adds tree <paramref name="tree"/>'s contributions for <paramref name="row"/> into <paramref name="phi"/>.</summary>
    public void Add(int tree, ReadOnlySpan<PredictionNode> nodes, ReadOnlySpan<float> row, Span<double> phi)
    {
        for (var leaf = _treeLeafStart[tree]; leaf < _treeLeafStart[tree + 1]; leaf++)
        {
            var featureStart = _leafFeatureStart[leaf];
            var d = _leafFeatureStart[leaf + 1] - featureStart;
            if (d == 0)
            {
                continue;
            }

            // Bit b set while the row follows the path at every split on the path's b-th distinct feature.
            var mask = (1 << d) - 1;
            for (var s = _leafStepStart[leaf]; s < _leafStepStart[leaf + 1]; s++)
            {
                ref readonly var node = ref nodes[_stepNode[s]];
                var x = row[node.Feature];
                var hot = x <= node.Threshold ? node.Left : float.IsNaN(x) ? node.Missing : node.Right;
                mask &= hot == _stepChild[s] ? ~0 : ~(1 << _stepBit[s]);
            }

            var amounts = _amounts.AsSpan(_leafTableStart[leaf] + (mask * d), d);
            for (var b = 0; b < d; b++)
            {
                phi[_features[featureStart + b]] += amounts[b];
            }
        }
    }

    public static ShapTables Build(GbdtModel model)
    {
        var nodes = model.Nodes;
        var values = model.Values;
        var covers = model.Covers;
        var roots = model.Roots;
        var tabled = new bool[roots.Length];
        var treeLeafStart = new List<int> { 0 };
        var leafStepStart = new List<int> { 0 };
        var leafFeatureStart = new List<int> { 0 };
        var leafTableStart = new List<int>();
        var stepNode = new List<int>();
        var stepChild = new List<int>();
        var stepBit = new List<int>();
        var features = new List<int>();
        var amounts = new List<double>();
        var weights = SubsetWeights(MaxDistinctFeatures);

        var path = new List<(int Node, int Child)>();
        var leaves = new List<(int Leaf, (int Node, int Child)[] Path)>();
        for (var t = 0; t < roots.Length; t++)
        {
            leaves.Clear();
            CollectLeaves(nodes, roots[t], path, leaves);
            var fits = true;
            long size = 0;
            var distinctFeatures = new HashSet<int>();
            foreach (var (_, leafPath) in leaves)
            {
                distinctFeatures.Clear();
                foreach (var step in leafPath)
                {
                    distinctFeatures.Add(nodes[step.Node].Feature);
                }

                var d = distinctFeatures.Count;
                fits &= d <= MaxDistinctFeatures;
                size += (1L << d) * d;
            }

            if (!fits || amounts.Count + size > Budget)
            {
                treeLeafStart.Add(leafStepStart.Count - 1);
                continue;
            }

            tabled[t] = true;
            foreach (var (leaf, leafPath) in leaves)
            {
                // Distinct features in order of first appearance, each with the product of its cover ratios.
                var distinct = new List<int>();
                var zero = new List<double>();
                foreach (var (node, child) in leafPath)
                {
                    var feature = nodes[node].Feature;
                    var b = distinct.IndexOf(feature);
                    if (b < 0)
                    {
                        b = distinct.Count;
                        distinct.Add(feature);
                        zero.Add(1);
                    }

                    zero[b] *= covers[child] / covers[node];
                    stepNode.Add(node);
                    stepChild.Add(child);
                    stepBit.Add(b);
                }

                leafTableStart.Add(amounts.Count);
                features.AddRange(distinct);
                AppendAmounts(values[leaf], [.. zero], weights, amounts);
                leafStepStart.Add(stepNode.Count);
                leafFeatureStart.Add(features.Count);
            }

            treeLeafStart.Add(leafStepStart.Count - 1);
        }

        leafTableStart.Add(amounts.Count);
        return new ShapTables(tabled, [.. treeLeafStart], [.. leafStepStart], [.. leafFeatureStart], [.. leafTableStart], [.. stepNode], [.. stepChild], [.. stepBit], [.. features], [.. amounts]);
    }

    /// <summary>Every leaf under <paramref name="node"/> with its path from the tree's root (node, child taken).</summary>
    private static void CollectLeaves(ReadOnlySpan<PredictionNode> nodes, int node, List<(int Node, int Child)> path, List<(int Leaf, (int Node, int Child)[] Path)> leaves)
    {
        ref readonly var current = ref nodes[node];
        if (current.Feature < 0)
        {
            leaves.Add((node, [.. path]));
            return;
        }

        foreach (var child in new[] { current.Left, current.Right })
        {
            path.Add((node, child));
            CollectLeaves(nodes, child, path, leaves);
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>
    /// For each bit pattern of the row's o_j (bit j set: o_j = 1) and each path feature i, the leaf's amount for i:
    /// value · (o_i − z_i) · Σ over subsets S of the other features that the row follows of w(|S|, d) · Π_{others ∉ S} z.
    /// </summary>
    private static void AppendAmounts(double value, double[] zero, double[,] weights, List<double> amounts)
    {
        var d = zero.Length;
        for (var mask = 0; mask < 1 << d; mask++)
        {
            for (var i = 0; i < d; i++)
            {
                var one = (mask >> i) & 1;
                var others = ((1 << d) - 1) & ~(1 << i);
                double sum = 0;
                // S ranges over subsets of the other features with o = 1 (a feature with o = 0 in S zeroes the product).
                var followed = mask & others;
                for (var subset = followed; ; subset = (subset - 1) & followed)
                {
                    var product = weights[(int)uint.PopCount((uint)subset), d];
                    for (var j = 0; j < d; j++)
                    {
                        if ((others >> j & 1) == 1 && (subset >> j & 1) == 0)
                        {
                            product *= zero[j];
                        }
                    }

                    sum += product;
                    if (subset == 0)
                    {
                        break;
                    }
                }

                amounts.Add(value * (one - zero[i]) * sum);
            }
        }
    }

    /// <summary>w[s, d] = s!·(d − s − 1)! / d!, the Shapley weight of a coalition of s among d players.</summary>
    private static double[,] SubsetWeights(int maxPlayers)
    {
        var factorial = new double[maxPlayers + 1];
        factorial[0] = 1;
        for (var i = 1; i <= maxPlayers; i++)
        {
            factorial[i] = factorial[i - 1] * i;
        }

        var w = new double[maxPlayers, maxPlayers + 1];
        for (var d = 1; d <= maxPlayers; d++)
        {
            for (var s = 0; s < d; s++)
            {
                w[s, d] = factorial[s] * factorial[d - s - 1] / factorial[d];
            }
        }

        return w;
    }
}
