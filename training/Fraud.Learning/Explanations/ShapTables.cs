namespace Fraud.Learning;

/// <summary>
/// Precomputed TreeSHAP for shallow trees, after "Fast TreeSHAP v2" (Yang, 2021). Path-dependent TreeSHAP gives
/// feature i, for a leaf with value v whose path has the distinct features P (d = |P|), the amount
/// <c>v · (o_i − z_i) · Σ_{S ⊆ P∖{i}} |S|!(d−|S|−1)!/d! · Π_{j∈S} o_j · Π_{j∈P∖S∖{i}} z_j</c>, where z_j is the product
/// of the cover ratios of the path's splits on j and o_j is 1 when the row takes the path's side at every split on
/// j, else 0. Only the o_j depend on the row, and they are bits: so each leaf stores its amount for every feature of
/// P and every one of the 2^d bit patterns. Explaining a row evaluates each split of a tree once (one bit each), then
/// per leaf finds its pattern with d mask tests and adds d amounts, instead of the O(d²) EXTEND/UNWIND work per leaf
/// of the recursive algorithm. A tree with a leaf deeper
/// than <see cref="MaxDistinctFeatures"/> distinct features, or with more than 64 splits, is left to the recursive algorithm (its table would be
/// too large); so are the trees past a memory budget. Built once per model, on its first explanation; immutable.
/// </summary>
internal sealed class ShapTables
{
    /// <summary>Most distinct features on a leaf's path for a table: 2^6 · 6 amounts per leaf.</summary>
    public const int MaxDistinctFeatures = 6;

    /// <summary>Most amounts stored over all trees (8 M doubles, 64 MB); later trees use the recursive algorithm.</summary>
    private const long Budget = 8L << 20;

    /// <summary>Most split nodes in a tree for a table: one bit each in the row's direction word.</summary>
    private const int MaxSplits = 64;

    private readonly int[] _treeSplitStart;
    private readonly int[] _splits;
    private readonly int[] _treeLeafStart;
    private readonly int[] _leafFeatureStart;
    private readonly int[] _leafTableStart;
    private readonly int[] _features;
    private readonly ulong[] _featureSplits;
    private readonly ulong[] _featureLefts;
    private readonly double[] _amounts;

    // Per tree (-1: none): where its pattern table starts in _patternAmounts, and its distinct features.
    private int[] _patternStart = [];
    private int[] _treeFeatureStart = [];
    private int[] _treeFeatures = [];
    private double[] _patternAmounts = [];

    private ShapTables(bool[] tabled, Lists lists)
    {
        Tabled = tabled;
        _treeSplitStart = [.. lists.TreeSplitStart];
        _splits = [.. lists.Splits];
        _treeLeafStart = [.. lists.TreeLeafStart];
        _leafFeatureStart = [.. lists.LeafFeatureStart];
        _leafTableStart = [.. lists.LeafTableStart];
        _features = [.. lists.Features];
        _featureSplits = [.. lists.FeatureSplits];
        _featureLefts = [.. lists.FeatureLefts];
        _amounts = [.. lists.Amounts];
    }

    /// <summary>Trees whose contributions come from one summed table per split word (see <see cref="BuildPatterns"/>).</summary>
    public int PatternTreeCount => _patternStart.Count(start => start >= 0);

    /// <summary>Per tree: true when its contributions come from the tables.</summary>
    public bool[] Tabled { get; }

    /// <summary>Adds tree <paramref name="tree"/>'s contributions for <paramref name="row"/> into <paramref name="phi"/>.</summary>
    public void Add(int tree, ReadOnlySpan<PredictionNode> nodes, ReadOnlySpan<float> row, Span<double> phi)
    {
        // Each split is evaluated once: bit s of `left` is set when the row goes left at the tree's s-th split.
        ulong left = 0;
        var first = _treeSplitStart[tree];
        for (var s = first; s < _treeSplitStart[tree + 1]; s++)
        {
            ref readonly var node = ref nodes[_splits[s]];
            var x = row[node.Feature];
            var hot = x <= node.Threshold ? node.Left : float.IsNaN(x) ? node.Missing : node.Right;
            left |= (hot == node.Left ? 1UL : 0UL) << (s - first);
        }

        var patternStart = tree < _patternStart.Length ? _patternStart[tree] : -1;
        if (patternStart >= 0)
        {
            // The tree's whole contribution for this split word, summed over its leaves when the tables were built.
            var featureStart = _treeFeatureStart[tree];
            var k = _treeFeatureStart[tree + 1] - featureStart;
            var amounts = _patternAmounts.AsSpan(patternStart + ((int)left * k), k);
            for (var j = 0; j < k; j++)
            {
                phi[_treeFeatures[featureStart + j]] += amounts[j];
            }

            return;
        }

        AddLeaves(tree, left, phi);
    }

    /// <summary>
    /// Tree <paramref name="tree"/>'s summed table when it has one: its split nodes (bit s of a split word is set when
    /// the row goes left at <c>splitNodes[s]</c>), its distinct features, and for each of the 2^splits words the
    /// amounts of those features, word-major. False for a tree whose contributions come from the leaf loop or the
    /// recursive algorithm.
    /// </summary>
    internal bool TryGetWordTable(int tree, out ReadOnlySpan<int> splitNodes, out ReadOnlySpan<int> features, out ReadOnlySpan<double> amounts)
    {
        var start = tree < _patternStart.Length ? _patternStart[tree] : -1;
        if (start < 0)
        {
            splitNodes = default;
            features = default;
            amounts = default;
            return false;
        }

        splitNodes = _splits.AsSpan(_treeSplitStart[tree], _treeSplitStart[tree + 1] - _treeSplitStart[tree]);
        features = _treeFeatures.AsSpan(_treeFeatureStart[tree], _treeFeatureStart[tree + 1] - _treeFeatureStart[tree]);
        amounts = _patternAmounts.AsSpan(start, features.Length << splitNodes.Length);
        return true;
    }

    /// <summary>Adds every leaf's amount of tree <paramref name="tree"/> for the split word <paramref name="left"/>.</summary>
    private void AddLeaves(int tree, ulong left, Span<double> phi)
    {
        for (var leaf = _treeLeafStart[tree]; leaf < _treeLeafStart[tree + 1]; leaf++)
        {
            var start = _leafFeatureStart[leaf];
            var d = _leafFeatureStart[leaf + 1] - start;
            // Bit b set when the row follows the path at every split on the path's b-th distinct feature.
            var mask = 0;
            for (var b = 0; b < d; b++)
            {
                mask |= ((left ^ _featureLefts[start + b]) & _featureSplits[start + b]) == 0 ? 1 << b : 0;
            }

            var amounts = _amounts.AsSpan(_leafTableStart[leaf] + (mask * d), d);
            for (var b = 0; b < d; b++)
            {
                phi[_features[start + b]] += amounts[b];
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
        var lists = new Lists();
        var weights = SubsetWeights(MaxDistinctFeatures);

        var path = new List<(int Node, int Child)>();
        var leaves = new List<(int Leaf, (int Node, int Child)[] Path)>();
        var splits = new List<int>();
        var distinctFeatures = new HashSet<int>();
        for (var t = 0; t < roots.Length; t++)
        {
            leaves.Clear();
            splits.Clear();
            CollectLeaves(nodes, roots[t], path, leaves, splits);
            var fits = splits.Count <= MaxSplits;
            long size = 0;
            foreach (var (_, leafPath) in leaves)
            {
                distinctFeatures.Clear();
                foreach (var step in leafPath)
                {
                    distinctFeatures.Add(nodes[step.Node].Feature);
                }

                fits &= distinctFeatures.Count <= MaxDistinctFeatures;
                size += (1L << distinctFeatures.Count) * distinctFeatures.Count;
            }

            if (fits && lists.Amounts.Count + size <= Budget)
            {
                tabled[t] = true;
                lists.Splits.AddRange(splits);
                foreach (var (leaf, leafPath) in leaves)
                {
                    AddLeaf(nodes, covers, values[leaf], leafPath, splits, weights, lists);
                }
            }

            lists.TreeSplitStart.Add(lists.Splits.Count);
            lists.TreeLeafStart.Add(lists.LeafTableStart.Count);
        }

        var tables = new ShapTables(tabled, lists);
        tables.BuildPatterns(model.FeatureCount);
        return tables;
    }

    /// <summary>Most splits in a tree for a pattern table: 2^8 split words.</summary>
    private const int MaxPatternSplits = 8;

    /// <summary>
    /// For each tabled tree with at most <see cref="MaxPatternSplits"/> splits, the sum over its leaves of the amounts
    /// for every split word (2^splits words × its distinct features). Explaining a row then costs, per tree, the
    /// split tests and one add per distinct feature: measured 2026-12-01 (`fraud bench`, 20,000 baskets, 4 members,
    /// depth 4 / 7 leaves, so 64 words per tree), the per-leaf mask loop made an explanation ~10x a prediction.
    /// The sums are over the same amounts as the leaf loop, so the values are the same up to rounding order.
    /// Called once, before the tables are published.
    /// </summary>
    private void BuildPatterns(int featureCount)
    {
        var trees = Tabled.Length;
        var patternStart = new int[trees];
        var treeFeatureStart = new List<int>(trees + 1) { 0 };
        var treeFeatures = new List<int>();
        var amounts = new List<double>();
        var phi = new double[featureCount];
        var seen = new HashSet<int>();
        for (var t = 0; t < trees; t++)
        {
            patternStart[t] = -1;
            var splits = _treeSplitStart[t + 1] - _treeSplitStart[t];
            if (Tabled[t] && splits <= MaxPatternSplits)
            {
                seen.Clear();
                var featuresAt = treeFeatures.Count;
                for (var leaf = _treeLeafStart[t]; leaf < _treeLeafStart[t + 1]; leaf++)
                {
                    for (var f = _leafFeatureStart[leaf]; f < _leafFeatureStart[leaf + 1]; f++)
                    {
                        if (seen.Add(_features[f]))
                        {
                            treeFeatures.Add(_features[f]);
                        }
                    }
                }

                var k = treeFeatures.Count - featuresAt;
                if (amounts.Count + ((long)k << splits) <= Budget)
                {
                    patternStart[t] = amounts.Count;
                    for (var word = 0UL; word < 1UL << splits; word++)
                    {
                        AddLeaves(t, word, phi);
                        for (var j = featuresAt; j < treeFeatures.Count; j++)
                        {
                            amounts.Add(phi[treeFeatures[j]]);
                            phi[treeFeatures[j]] = 0;
                        }
                    }
                }
                else
                {
                    treeFeatures.RemoveRange(featuresAt, k);
                }
            }

            treeFeatureStart.Add(treeFeatures.Count);
        }

        _patternStart = patternStart;
        _treeFeatureStart = [.. treeFeatureStart];
        _treeFeatures = [.. treeFeatures];
        _patternAmounts = [.. amounts];
    }

    private static void AddLeaf(ReadOnlySpan<PredictionNode> nodes, ReadOnlySpan<double> covers, double value, (int Node, int Child)[] path, List<int> splits, double[,] weights, Lists lists)
    {
        // Distinct features in order of first appearance, each with the product of its cover ratios and the
        // directions the path takes at its splits (as bits of the tree's split word).
        var distinct = new List<int>();
        var zero = new List<double>();
        var featureSplits = new List<ulong>();
        var featureLefts = new List<ulong>();
        foreach (var (node, child) in path)
        {
            var feature = nodes[node].Feature;
            var b = distinct.IndexOf(feature);
            if (b < 0)
            {
                b = distinct.Count;
                distinct.Add(feature);
                zero.Add(1);
                featureSplits.Add(0);
                featureLefts.Add(0);
            }

            zero[b] *= covers[child] / covers[node];
            var bit = 1UL << splits.IndexOf(node);
            featureSplits[b] |= bit;
            featureLefts[b] |= child == nodes[node].Left ? bit : 0;
        }

        lists.LeafTableStart.Add(lists.Amounts.Count);
        lists.Features.AddRange(distinct);
        lists.FeatureSplits.AddRange(featureSplits);
        lists.FeatureLefts.AddRange(featureLefts);
        lists.LeafFeatureStart.Add(lists.Features.Count);
        AppendAmounts(value, [.. zero], weights, lists.Amounts);
    }

    /// <summary>
    /// Every leaf under <paramref name="node"/> with its path from the tree's root (node, child taken), and every
    /// split node in <paramref name="splits"/>.
    /// </summary>
    private static void CollectLeaves(ReadOnlySpan<PredictionNode> nodes, int node, List<(int Node, int Child)> path, List<(int Leaf, (int Node, int Child)[] Path)> leaves, List<int> splits)
    {
        ref readonly var current = ref nodes[node];
        if (current.Feature < 0)
        {
            leaves.Add((node, [.. path]));
            return;
        }

        splits.Add(node);
        foreach (var child in new[] { current.Left, current.Right })
        {
            path.Add((node, child));
            CollectLeaves(nodes, child, path, leaves, splits);
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

    /// <summary>The tables while they are built; index lists start with 0 and gain one entry per tree or leaf.</summary>
    private sealed class Lists
    {
        public List<int> TreeSplitStart { get; } = [0];

        public List<int> Splits { get; } = [];

        public List<int> TreeLeafStart { get; } = [0];

        public List<int> LeafFeatureStart { get; } = [0];

        public List<int> LeafTableStart { get; } = [];

        public List<int> Features { get; } = [];

        public List<ulong> FeatureSplits { get; } = [];

        public List<ulong> FeatureLefts { get; } = [];

        public List<double> Amounts { get; } = [];
    }
}
