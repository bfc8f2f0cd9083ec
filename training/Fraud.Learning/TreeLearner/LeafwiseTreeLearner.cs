using System.Diagnostics;

namespace Fraud.Learning;

/// <summary>
/// Grows one regression tree on gradients and hessians, best-first: the leaf whose best split gains most is split
/// next, until <see cref="GbdtOptions.NumLeaves"/> (LightGBM's leaf-wise growth; Ke et al., 2017). Only the smaller
/// child's histogram is built from rows; the larger one is the parent's minus it. All buffers are allocated once per
/// training run and reused by every tree.
/// </summary>
internal sealed class LeafwiseTreeLearner
{
    private readonly BinnedMatrix _data;
    private readonly GbdtOptions _options;
    private readonly int _threads;
    private readonly SplitFinder _finder;

    // Row partition: leaf l owns _indices[_leafBegin[l] .. _leafBegin[l] + _leafRows[l]), in ascending row order.
    private readonly int[] _indices;
    private readonly int[] _scratch;

    // Leaf of every training row (-1 out of bag), for the sparse histogram path.
    private readonly int[] _leafOf;
    private readonly double[] _orderedGradients;
    private readonly double[] _orderedHessians;

    private readonly int[] _leafBegin;
    private readonly int[] _leafRows;
    private readonly int[] _leafDepth;
    private readonly int[] _leafNode;
    private readonly int[] _leafHistogram;
    private readonly double[] _leafGradient;
    private readonly double[] _leafHessian;
    private readonly SplitCandidate[] _leafBest;

    // Per leaf and feature (leaf * Features + f): 0 once no threshold of f met MinDataInLeaf/MinHessianInLeaf in the
    // leaf. Children hold subsets of their parent's rows, so such a feature cannot split any descendant either and its
    // histogram is never built again in that subtree (LightGBM's per-leaf "is_splittable").
    private readonly byte[] _splittable;

    private readonly List<HistogramBin[]> _histograms = [];
    private readonly Stack<int> _freeHistograms = new();

    // Per used feature, the best split of the child being built and of its sibling.
    private readonly SplitCandidate[] _smallBest;
    private readonly SplitCandidate[] _largeBest;
    private readonly Action<int> _rootBlock;
    private readonly Action<int> _childrenBlock;

    // State of the split in progress, read by the cached parallel bodies (no closure per node).
    private double[] _gradients = [];
    private double[] _hessians = [];
    private int[] _features = [];
    private int _featureCount;
    private int _blockSize;
    private bool _allRows;
    private int _small;
    private int _large;
    private bool _largeSplittable;
    private bool _smallSplittable;

    public LeafwiseTreeLearner(BinnedMatrix data, GbdtOptions options, int threads)
    {
        _data = data;
        _options = options;
        _threads = threads;
        _finder = new SplitFinder(options.L2, options.MinDataInLeaf, options.MinHessianInLeaf);
        _indices = new int[data.Rows];
        _scratch = new int[data.Rows];
        _leafOf = new int[data.Rows];
        _orderedGradients = new double[data.Rows];
        _orderedHessians = new double[data.Rows];
        var leaves = options.NumLeaves;
        _leafBegin = new int[leaves];
        _leafRows = new int[leaves];
        _leafDepth = new int[leaves];
        _leafNode = new int[leaves];
        _leafHistogram = new int[leaves];
        _leafGradient = new double[leaves];
        _leafHessian = new double[leaves];
        _leafBest = new SplitCandidate[leaves];
        _splittable = new byte[leaves * data.Features];
        _smallBest = new SplitCandidate[data.Features];
        _largeBest = new SplitCandidate[data.Features];
        _rootBlock = RootBlock;
        _childrenBlock = ChildrenBlock;
    }

    /// <summary>Number of leaves of the last grown tree.</summary>
    public int LeafCount { get; private set; }

    /// <summary>The node of leaf <paramref name="leaf"/> in the last grown tree.</summary>
    public int LeafNode(int leaf) => _leafNode[leaf];

    /// <summary>The training rows in leaf <paramref name="leaf"/> of the last grown tree.</summary>
    public ReadOnlySpan<int> LeafRows(int leaf) => _indices.AsSpan(_leafBegin[leaf], _leafRows[leaf]);

    /// <summary>
    /// Grows a tree. <paramref name="bag"/> lists the sampled rows in ascending order (null: all rows);
    /// <paramref name="features"/> the features this tree may split on, ascending.
    /// </summary>
    public TreeNodes Grow(double[] gradients, double[] hessians, int[]? bag, int bagCount, int[] features, int featureCount)
    {
        _gradients = gradients;
        _hessians = hessians;
        _features = features;
        _featureCount = featureCount;
        // Several small blocks per thread: when a worker is descheduled (a busy machine), the others take its share
        // instead of the whole split waiting for it. Blocks only group features, so results do not depend on them.
        _blockSize = Math.Max(1, (featureCount + (_threads * 8) - 1) / (_threads * 8));
        ReleaseAllHistograms();

        var n = bag is null ? _data.Rows : bagCount;
        _allRows = bag is null;
        double sumG = 0, sumH = 0;
        Array.Fill(_leafOf, bag is null ? 0 : -1);
        for (var i = 0; i < n; i++)
        {
            var row = bag is null ? i : bag[i];
            _indices[i] = row;
            _leafOf[row] = 0;
            sumG += gradients[row];
            sumH += hessians[row];
        }

        var tree = new TreeNodes((2 * _options.NumLeaves) - 1);
        var root = tree.AddLeaf(LeafOutput(sumG, sumH), n);
        SetLeaf(0, begin: 0, rows: n, depth: 0, root, sumG, sumH);
        LeafCount = 1;

        if (n >= 2 * _options.MinDataInLeaf && featureCount > 0)
        {
            _splittable.AsSpan(0, _data.Features).Fill(1);
            _small = 0;
            _leafHistogram[0] = AcquireHistogram();
            if (!_allRows)
            {
                Gather(0);
            }

            Parallelism.For(BlockCount, _threads, _rootBlock);
            _leafBest[0] = Reduce(_smallBest);
        }

        while (LeafCount < _options.NumLeaves)
        {
            var leaf = BestLeaf();
            if (leaf < 0)
            {
                break;
            }

            Split(tree, leaf, LeafCount);
            LeafCount++;
        }

        return tree;
    }

    private int BlockCount => (_featureCount + _blockSize - 1) / _blockSize;

    private void RootBlock(int block)
    {
        var histogram = _histograms[_leafHistogram[0]];
        var rows = _leafRows[0];
        var end = Math.Min(_featureCount, (block + 1) * _blockSize);
        for (var k = block * _blockSize; k < end; k++)
        {
            var f = _features[k];
            var slots = histogram.AsSpan(_data.HistogramOffsets[f], _data.BinCounts[f] + 1);
            if (TryBuildSparse(f, 0, slots))
            {
                // Built from the feature's non-default rows.
            }
            else if (_allRows)
            {
                HistogramBuilder.BuildAllRows(_data.Column(f), _gradients, _hessians, slots);
            }
            else
            {
                HistogramBuilder.Build(_data.Column(f), _indices.AsSpan(0, rows), _orderedGradients.AsSpan(0, rows), _orderedHessians.AsSpan(0, rows), slots);
            }

            _smallBest[k] = _finder.Find(slots, f, _leafGradient[0], _leafHessian[0], rows);
            _splittable[f] = _smallBest[k].Feature >= 0 ? (byte)1 : (byte)0;
        }
    }

    private void ChildrenBlock(int block)
    {
        var smallHistogram = _histograms[_leafHistogram[_small]];
        var largeHistogram = _largeSplittable ? _histograms[_leafHistogram[_large]] : null;
        var begin = _leafBegin[_small];
        var rows = _leafRows[_small];
        var end = Math.Min(_featureCount, (block + 1) * _blockSize);
        var smallFlags = _splittable.AsSpan(_small * _data.Features, _data.Features);
        var largeFlags = _splittable.AsSpan(_large * _data.Features, _data.Features);
        for (var k = block * _blockSize; k < end; k++)
        {
            var f = _features[k];
            if (smallFlags[f] == 0)
            {
                // Dead in the parent, so in both children (see _splittable).
                _smallBest[k] = SplitCandidate.None;
                _largeBest[k] = SplitCandidate.None;
                continue;
            }

            var offset = _data.HistogramOffsets[f];
            var length = _data.BinCounts[f] + 1;
            var small = smallHistogram.AsSpan(offset, length);
            if (!TryBuildSparse(f, _small, small))
            {
                HistogramBuilder.Build(_data.Column(f), _indices.AsSpan(begin, rows), _orderedGradients.AsSpan(0, rows), _orderedHessians.AsSpan(0, rows), small);
            }

            _smallBest[k] = _smallSplittable
                ? _finder.Find(small, f, _leafGradient[_small], _leafHessian[_small], rows)
                : SplitCandidate.None;
            smallFlags[f] = _smallBest[k].Feature >= 0 ? (byte)1 : (byte)0;
            if (largeHistogram is not null)
            {
                var large = largeHistogram.AsSpan(offset, length);
                HistogramBuilder.SubtractInPlace(large, small);
                _largeBest[k] = _finder.Find(large, f, _leafGradient[_large], _leafHessian[_large], _leafRows[_large]);
                largeFlags[f] = _largeBest[k].Feature >= 0 ? (byte)1 : (byte)0;
            }
        }
    }

    private void Split(TreeNodes tree, int leaf, int newLeaf)
    {
        var split = _leafBest[leaf];
        var begin = _leafBegin[leaf];
        var rows = _leafRows[leaf];
        var leftRows = Partition(split, begin, rows, newLeaf);
        Debug.Assert(leftRows == split.LeftCount, "Partition must agree with the histogram.");

        var rightG = _leafGradient[leaf] - split.LeftGradient;
        var rightH = _leafHessian[leaf] - split.LeftHessian;
        var depth = _leafDepth[leaf] + 1;
        var node = _leafNode[leaf];
        var leftNode = tree.AddLeaf(LeafOutput(split.LeftGradient, split.LeftHessian), leftRows);
        var rightNode = tree.AddLeaf(LeafOutput(rightG, rightH), rows - leftRows);
        tree.SetSplit(node, split.Feature, split.Bin, _data.Threshold(split.Feature, split.Bin), split.DefaultLeft, leftNode, rightNode, split.Gain);

        var parentHistogram = _leafHistogram[leaf];
        SetLeaf(leaf, begin, leftRows, depth, leftNode, split.LeftGradient, split.LeftHessian);
        SetLeaf(newLeaf, begin + leftRows, rows - leftRows, depth, rightNode, rightG, rightH);

        var lastSplit = newLeaf + 1 >= _options.NumLeaves;
        var depthAllows = _options.MaxDepth <= 0 || depth < _options.MaxDepth;
        _small = leftRows <= rows - leftRows ? leaf : newLeaf;
        _large = _small == leaf ? newLeaf : leaf;
        _largeSplittable = _leafRows[_large] >= 2 * _options.MinDataInLeaf;
        _smallSplittable = _leafRows[_small] >= 2 * _options.MinDataInLeaf;
        if (lastSplit || !depthAllows || !_largeSplittable)
        {
            ReleaseHistogram(parentHistogram);
            return;
        }

        // Both children start from the parent's flags (the left child already has them: it reuses the parent's slot).
        _splittable.AsSpan(leaf * _data.Features, _data.Features).CopyTo(_splittable.AsSpan(newLeaf * _data.Features, _data.Features));
        _leafHistogram[_large] = parentHistogram;
        _leafHistogram[_small] = AcquireHistogram();
        Gather(_small);
        Parallelism.For(BlockCount, _threads, _childrenBlock);
        _leafBest[_large] = Reduce(_largeBest);
        if (_smallSplittable)
        {
            _leafBest[_small] = Reduce(_smallBest);
        }
        else
        {
            ReleaseHistogram(_leafHistogram[_small]);
            _leafHistogram[_small] = -1;
        }
    }

    /// <summary>Stable partition of the leaf's rows: left rows keep their slots, right rows follow them.</summary>
    private int Partition(SplitCandidate split, int begin, int rows, int rightLeaf)
    {
        var column = _data.Column(split.Feature);
        var missingBin = _data.BinCounts[split.Feature];
        var writeLeft = begin;
        var writeRight = 0;
        for (var i = begin; i < begin + rows; i++)
        {
            var row = _indices[i];
            int bin = column[row];
            var goLeft = bin == missingBin ? split.DefaultLeft : bin <= split.Bin;
            if (goLeft)
            {
                _indices[writeLeft++] = row;
            }
            else
            {
                _scratch[writeRight++] = row;
                _leafOf[row] = rightLeaf;
            }
        }

        _scratch.AsSpan(0, writeRight).CopyTo(_indices.AsSpan(writeLeft));
        return writeLeft - begin;
    }

    /// <summary>Builds from the sparse copy when the feature has fewer non-default rows than the leaf has rows.</summary>
    private bool TryBuildSparse(int feature, int leaf, Span<HistogramBin> slots)
    {
        var sparse = _data.SparseRows[feature];
        if (sparse is null || sparse.Length >= _leafRows[leaf])
        {
            return false;
        }

        HistogramBuilder.BuildSparse(
            _data.Column(feature), sparse, _leafOf, leaf, _gradients, _hessians, _data.DefaultBins[feature],
            _leafGradient[leaf], _leafHessian[leaf], _leafRows[leaf], slots);
        return true;
    }

    private void Gather(int leaf)
    {
        var rows = LeafRows(leaf);
        for (var i = 0; i < rows.Length; i++)
        {
            _orderedGradients[i] = _gradients[rows[i]];
            _orderedHessians[i] = _hessians[rows[i]];
        }
    }

    private int BestLeaf()
    {
        var best = -1;
        var bestGain = _options.MinGainToSplit;
        for (var l = 0; l < LeafCount; l++)
        {
            var candidate = _leafBest[l];
            if (candidate.IsValid && candidate.Gain > bestGain)
            {
                best = l;
                bestGain = candidate.Gain;
            }
        }

        return best;
    }

    private SplitCandidate Reduce(SplitCandidate[] perFeature)
    {
        var best = SplitCandidate.None;
        for (var k = 0; k < _featureCount; k++)
        {
            if (perFeature[k].Gain > best.Gain)
            {
                best = perFeature[k];
            }
        }

        return best;
    }

    private void SetLeaf(int leaf, int begin, int rows, int depth, int node, double gradient, double hessian)
    {
        _leafBegin[leaf] = begin;
        _leafRows[leaf] = rows;
        _leafDepth[leaf] = depth;
        _leafNode[leaf] = node;
        _leafGradient[leaf] = gradient;
        _leafHessian[leaf] = hessian;
        _leafHistogram[leaf] = -1;
        _leafBest[leaf] = SplitCandidate.None;
    }

    /// <summary>Newton step for the leaf, shrunk: -G / (H + λ) × learning rate (Chen &amp; Guestrin, 2016, eq. 5).</summary>
    private double LeafOutput(double gradient, double hessian) => -gradient / (hessian + _options.L2) * _options.LearningRate;

    private int AcquireHistogram()
    {
        if (_freeHistograms.Count > 0)
        {
            return _freeHistograms.Pop();
        }

        _histograms.Add(new HistogramBin[_data.TotalBins]);
        return _histograms.Count - 1;
    }

    private void ReleaseHistogram(int id)
    {
        if (id >= 0)
        {
            _freeHistograms.Push(id);
        }
    }

    private void ReleaseAllHistograms()
    {
        _freeHistograms.Clear();
        for (var i = _histograms.Count - 1; i >= 0; i--)
        {
            _freeHistograms.Push(i);
        }
    }
}
