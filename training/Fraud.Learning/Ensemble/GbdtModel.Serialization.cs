namespace Fraud.Learning;

public sealed partial class GbdtModel
{
    /// <summary>Flattens grown trees; child indices become absolute positions in the node array.</summary>
    internal static GbdtModel FromTrees(int featureCount, double baseScore, IReadOnlyList<TreeNodes> trees)
    {
        var total = 0;
        foreach (var tree in trees)
        {
            total += tree.Count;
        }

        var nodes = new PredictionNode[total];
        var values = new double[total];
        var covers = new double[total];
        var gains = new double[total];
        var roots = new int[trees.Count];
        var offset = 0;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            roots[t] = offset;
            for (var i = 0; i < tree.Count; i++)
            {
                var isLeaf = tree.Feature[i] < 0;
                var left = isLeaf ? -1 : offset + tree.Left[i];
                var right = isLeaf ? -1 : offset + tree.Right[i];
                nodes[offset + i] = new PredictionNode
                {
                    Feature = tree.Feature[i],
                    Threshold = isLeaf ? 0 : tree.Threshold[i],
                    Left = left,
                    Right = right,
                    Missing = tree.DefaultLeft[i] ? left : right,
                };
                values[offset + i] = tree.Value[i];
                covers[offset + i] = tree.Cover[i];
                gains[offset + i] = isLeaf ? 0 : tree.Gain[i];
            }

            offset += tree.Count;
        }

        return new GbdtModel(featureCount, baseScore, nodes, values, covers, gains, roots);
    }

    /// <summary>A serialisable copy; <see cref="FromDto"/> of it predicts exactly the same scores.</summary>
    public GbdtModelDto ToDto()
    {
        var trees = new GbdtTreeDto[_roots.Length];
        for (var t = 0; t < trees.Length; t++)
        {
            var root = _roots[t];
            var end = t + 1 < _roots.Length ? _roots[t + 1] : _nodes.Length;
            var count = end - root;
            var dto = new GbdtTreeDto
            {
                Feature = new int[count],
                Threshold = new double[count],
                DefaultLeft = new bool[count],
                Left = new int[count],
                Right = new int[count],
                Value = _values[root..end],
                Cover = _covers[root..end],
                Gain = _gains[root..end],
            };
            for (var i = 0; i < count; i++)
            {
                var node = _nodes[root + i];
                var isLeaf = node.Feature < 0;
                dto.Feature[i] = node.Feature;
                dto.Threshold[i] = node.Threshold;
                dto.DefaultLeft[i] = !isLeaf && node.Missing == node.Left;
                dto.Left[i] = isLeaf ? -1 : node.Left - root;
                dto.Right[i] = isLeaf ? -1 : node.Right - root;
            }

            trees[t] = dto;
        }

        return new GbdtModelDto { FeatureCount = FeatureCount, BaseScore = BaseScore, Trees = trees };
    }

    /// <summary>
    /// Rebuilds a model, checking that every array has one entry per node, that children come after their parent
    /// and have exactly one parent, that split features exist, that numbers are finite and that covers add up.
    /// </summary>
    /// <exception cref="InvalidDataException">The DTO does not describe a valid ensemble.</exception>
    public static GbdtModel FromDto(GbdtModelDto dto)
    {
        if (dto is null)
        {
            throw new InvalidDataException("The tree ensemble is missing.");
        }

        if (dto.FeatureCount <= 0)
        {
            throw new InvalidDataException($"The tree ensemble's feature count must be positive, got {dto.FeatureCount}.");
        }

        if (!double.IsFinite(dto.BaseScore))
        {
            throw new InvalidDataException("The tree ensemble's base score is not a finite number.");
        }

        if (dto.Trees is null)
        {
            throw new InvalidDataException("The tree ensemble has no tree list.");
        }

        var trees = new List<TreeNodes>(dto.Trees.Length);
        for (var t = 0; t < dto.Trees.Length; t++)
        {
            trees.Add(ReadTree(dto.Trees[t], t, dto.FeatureCount));
        }

        return FromTrees(dto.FeatureCount, dto.BaseScore, trees);
    }

    private static TreeNodes ReadTree(GbdtTreeDto? tree, int index, int featureCount)
    {
        if (tree is null)
        {
            throw new InvalidDataException($"Tree {index} is missing.");
        }

        var count = tree.Feature?.Length ?? 0;
        if (count == 0)
        {
            throw new InvalidDataException($"Tree {index} has no nodes.");
        }

        CheckLength(tree.Threshold?.Length, count, index, nameof(tree.Threshold));
        CheckLength(tree.DefaultLeft?.Length, count, index, nameof(tree.DefaultLeft));
        CheckLength(tree.Left?.Length, count, index, nameof(tree.Left));
        CheckLength(tree.Right?.Length, count, index, nameof(tree.Right));
        CheckLength(tree.Value?.Length, count, index, nameof(tree.Value));
        CheckLength(tree.Cover?.Length, count, index, nameof(tree.Cover));
        CheckLength(tree.Gain?.Length, count, index, nameof(tree.Gain));

        var nodes = new TreeNodes(count);
        var parents = new int[count];
        for (var i = 0; i < count; i++)
        {
            var value = tree.Value![i];
            var cover = tree.Cover![i];
            if (!double.IsFinite(value))
            {
                throw Invalid(index, i, "value is not a finite number");
            }

            if (!double.IsFinite(cover) || cover <= 0)
            {
                throw Invalid(index, i, "cover must be a positive finite number");
            }

            nodes.AddLeaf(value, cover);
        }

        for (var i = 0; i < count; i++)
        {
            var feature = tree.Feature![i];
            var left = tree.Left![i];
            var right = tree.Right![i];
            if (feature == -1)
            {
                if (left != -1 || right != -1)
                {
                    throw Invalid(index, i, "a leaf (feature -1) must have children -1");
                }

                continue;
            }

            if (feature < 0 || feature >= featureCount)
            {
                throw Invalid(index, i, $"feature {feature} is outside [0, {featureCount})");
            }

            if (left <= i || left >= count || right <= i || right >= count || left == right)
            {
                throw Invalid(index, i, $"children {left} and {right} must be distinct nodes after it");
            }

            parents[left]++;
            parents[right]++;
            var threshold = tree.Threshold![i];
            if (!double.IsFinite(threshold) || Math.Abs(threshold) > float.MaxValue)
            {
                throw Invalid(index, i, "threshold is not a finite single-precision number");
            }

            var gain = tree.Gain![i];
            if (!double.IsFinite(gain) || gain < 0)
            {
                throw Invalid(index, i, "gain must be a non-negative finite number");
            }

            var childCover = tree.Cover![left] + tree.Cover[right];
            if (Math.Abs(childCover - tree.Cover[i]) > 1e-9 * Math.Max(1, tree.Cover[i]))
            {
                throw Invalid(index, i, "cover differs from the sum of its children's covers");
            }

            nodes.SetSplit(i, feature, bin: 0, (float)threshold, tree.DefaultLeft![i], left, right, gain);
        }

        for (var i = 1; i < count; i++)
        {
            if (parents[i] != 1)
            {
                throw Invalid(index, i, $"has {parents[i]} parents; every node but the root needs exactly one");
            }
        }

        return nodes;
    }

    private static void CheckLength(int? length, int expected, int tree, string name)
    {
        if (length != expected)
        {
            throw new InvalidDataException($"Tree {tree}: {name} has {length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} entries, expected {expected} (one per node).");
        }
    }

    private static InvalidDataException Invalid(int tree, int node, string problem) =>
        new($"Tree {tree}, node {node}: {problem}.");
}
