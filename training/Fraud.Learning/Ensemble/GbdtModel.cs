using System.Runtime.CompilerServices;

namespace Fraud.Learning;

/// <summary>
/// A trained ensemble of regression trees for binary log-loss, flattened into one node array so that scoring a row
/// walks plain arrays with no allocation. Immutable and safe to share between threads.
/// </summary>
public sealed partial class GbdtModel
{
    private const int BatchBlock = 64;

    private readonly PredictionNode[] _nodes;
    private readonly PredictionNode[] _steps;
    private readonly double[] _values;
    private readonly double[] _covers;
    private readonly double[] _gains;
    private readonly int[] _roots;
    private ShapTables? _shapTables;

    private GbdtModel(int featureCount, double baseScore, PredictionNode[] nodes, double[] values, double[] covers, double[] gains, int[] roots)
    {
        FeatureCount = featureCount;
        BaseScore = baseScore;
        _nodes = nodes;
        _values = values;
        _covers = covers;
        _gains = gains;
        _roots = roots;
        (ExpectedValue, MaxDepth) = Summarise();
        _steps = SelfLoopingLeaves(nodes);
        Reciprocals = new double[MaxDepth + 3];
        for (var k = 1; k < Reciprocals.Length; k++)
        {
            Reciprocals[k] = 1.0 / k;
        }
    }

    /// <summary>Length of the feature vector the model expects.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => _roots.Length;

    /// <summary>Raw score before any tree (log-odds of the weighted training prior).</summary>
    public double BaseScore { get; }

    /// <summary>Mean raw score over the training rows as the trees' covers weight them: the base value of TreeSHAP.</summary>
    public double ExpectedValue { get; }

    /// <summary>Depth of the deepest leaf over all trees.</summary>
    public int MaxDepth { get; }

    internal ReadOnlySpan<PredictionNode> Nodes => _nodes;

    /// <summary>TreeSHAP amounts per leaf, built on the first explanation (a scoring-only process never pays for them).</summary>
    internal ShapTables ShapTables => LazyInitializer.EnsureInitialized(ref _shapTables, () => ShapTables.Build(this));

    /// <summary>1/k for k up to MaxDepth + 2, so TreeSHAP multiplies where the paper divides.</summary>
    internal double[] Reciprocals { get; }

    internal ReadOnlySpan<double> Values => _values;

    internal ReadOnlySpan<double> Covers => _covers;

    internal ReadOnlySpan<int> Roots => _roots;

    /// <summary>Raw score (log-odds) of one row.</summary>
    public double PredictRaw(ReadOnlySpan<float> row)
    {
        CheckRow(row.Length);
        var score = BaseScore;
        var roots = _roots;
        var values = _values;
        var t = 0;
        // Four trees at a time, in lockstep for MaxDepth steps (leaves loop on themselves): a walk is a chain of
        // dependent loads, and four independent chains keep the core busy while each waits. The leaves are added in
        // tree order, so the score is bit-for-bit the one a tree-by-tree walk gives.
        for (; t + 4 <= roots.Length; t += 4)
        {
            int a = roots[t], b = roots[t + 1], c = roots[t + 2], d = roots[t + 3];
            for (var level = 0; level < MaxDepth; level++)
            {
                a = Step(a, row);
                b = Step(b, row);
                c = Step(c, row);
                d = Step(d, row);
            }

            score += values[a];
            score += values[b];
            score += values[c];
            score += values[d];
        }

        for (; t < roots.Length; t++)
        {
            score += values[Leaf(roots[t], row)];
        }

        return score;
    }

    /// <summary>Probability of the positive class for one row (sigmoid of the raw score; uncalibrated).</summary>
    public double PredictProbability(ReadOnlySpan<float> row) => 1.0 / (1.0 + Math.Exp(-PredictRaw(row)));

    /// <summary>Raw scores of every row of <paramref name="x"/> into <paramref name="output"/> (one per row).</summary>
    public void PredictRaw(FeatureMatrix x, Span<double> output)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckRow(x.Columns);
        if (output.Length < x.Rows)
        {
            throw new ArgumentException($"Output holds {output.Length} scores but the matrix has {x.Rows} rows.", nameof(output));
        }

        PredictRange(x.Values, x.Columns, 0, x.Rows, output);
    }

    /// <summary>
    /// Raw scores of every row, split over <paramref name="threads"/> threads in fixed row ranges
    /// (each row's score is computed exactly as by the single-row overload, so results never depend on threads).
    /// </summary>
    public void PredictRaw(FeatureMatrix x, double[] output, int threads)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        CheckRow(x.Columns);
        if (output.Length < x.Rows)
        {
            throw new ArgumentException($"Output holds {output.Length} scores but the matrix has {x.Rows} rows.", nameof(output));
        }

        const int ChunkRows = 4096;
        var rows = x.Rows;
        Parallelism.For(Parallelism.ChunkCount(rows, ChunkRows), threads == 0 ? Environment.ProcessorCount : threads, c =>
        {
            var start = c * ChunkRows;
            var count = Math.Min(ChunkRows, rows - start);
            PredictRange(x.Values, x.Columns, start, start + count, output);
        });
    }

    /// <summary>Sum of split gains per feature (LightGBM's "gain" importance).</summary>
    public double[] GainImportance()
    {
        var importance = new double[FeatureCount];
        for (var n = 0; n < _nodes.Length; n++)
        {
            if (_nodes[n].Feature >= 0)
            {
                importance[_nodes[n].Feature] += _gains[n];
            }
        }

        return importance;
    }

    /// <summary>Number of splits per feature (LightGBM's "split" importance).</summary>
    public double[] SplitCountImportance()
    {
        var importance = new double[FeatureCount];
        for (var n = 0; n < _nodes.Length; n++)
        {
            if (_nodes[n].Feature >= 0)
            {
                importance[_nodes[n].Feature]++;
            }
        }

        return importance;
    }

    /// <summary>The model without its trees from <paramref name="treeCount"/> on (the state after that many rounds).</summary>
    public GbdtModel Truncate(int treeCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeCount, TreeCount);
        var dto = ToDto();
        dto.Trees = dto.Trees[..treeCount];
        return FromDto(dto);
    }

    private void PredictRange(float[] values, int columns, int begin, int end, Span<double> output)
    {
        // Tree-major within blocks of rows: a tree's nodes stay in cache while the block's rows walk it.
        for (var start = begin; start < end; start += BatchBlock)
        {
            var stop = Math.Min(end, start + BatchBlock);
            output[start..stop].Fill(BaseScore);
            for (var t = 0; t < _roots.Length; t++)
            {
                var root = _roots[t];
                for (var r = start; r < stop; r++)
                {
                    output[r] += _values[Leaf(root, values.AsSpan(r * columns, columns))];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Leaf(int root, ReadOnlySpan<float> row)
    {
        var nodes = _nodes;
        var n = root;
        while (true)
        {
            ref readonly var node = ref nodes[n];
            if (node.Feature < 0)
            {
                return n;
            }

            var value = row[node.Feature];
            // Two selects rather than nested branches: the JIT turns them into conditional moves, and a tree walk
            // is otherwise dominated by mispredicted jumps. NaN fails every comparison, so it is redirected after.
            var next = value <= node.Threshold ? node.Left : node.Right;
            n = float.IsNaN(value) ? node.Missing : next;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Step(int n, ReadOnlySpan<float> row)
    {
        ref readonly var node = ref _steps[n];
        var value = row[node.Feature];
        var next = value <= node.Threshold ? node.Left : node.Right;
        return float.IsNaN(value) ? node.Missing : next;
    }

    /// <summary>
    /// The nodes with every leaf turned into a step that stays put (feature 0, threshold +∞, every child itself), so
    /// that a walk of exactly <see cref="MaxDepth"/> steps ends on the leaf whatever the tree's depth.
    /// </summary>
    private static PredictionNode[] SelfLoopingLeaves(PredictionNode[] nodes)
    {
        var steps = (PredictionNode[])nodes.Clone();
        for (var n = 0; n < steps.Length; n++)
        {
            if (steps[n].Feature < 0)
            {
                steps[n] = new PredictionNode { Feature = 0, Threshold = float.PositiveInfinity, Left = n, Right = n, Missing = n };
            }
        }

        return steps;
    }

    private void CheckRow(int length)
    {
        if (length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features, got {length}.");
        }
    }

    private (double Expected, int Depth) Summarise()
    {
        // Children follow their parent, so one backward pass gives each node's cover-weighted mean output and one
        // forward pass its depth.
        var expected = new double[_nodes.Length];
        var depth = new int[_nodes.Length];
        var maxDepth = 0;
        for (var n = 0; n < _nodes.Length; n++)
        {
            var node = _nodes[n];
            if (node.Feature >= 0)
            {
                depth[node.Left] = depth[n] + 1;
                depth[node.Right] = depth[n] + 1;
                maxDepth = Math.Max(maxDepth, depth[n] + 1);
            }
        }

        for (var n = _nodes.Length - 1; n >= 0; n--)
        {
            var node = _nodes[n];
            expected[n] = node.Feature < 0
                ? _values[n]
                : ((_covers[node.Left] * expected[node.Left]) + (_covers[node.Right] * expected[node.Right])) / _covers[n];
        }

        var total = BaseScore;
        foreach (var root in _roots)
        {
            total += expected[root];
        }

        return (total, maxDepth);
    }
}
