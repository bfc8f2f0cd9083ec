using Fraud.Learning;
using Microsoft.ML.Trainers.FastTree;

namespace Fraud.Model.MLNet;

/// <summary>
/// ML.NET's trees in the product's node layout. ML.NET numbers split nodes 0..n-1 and leaves by <c>~child</c>; the
/// product wants one array of nodes with the root first and every child after its parent, so nodes are renumbered
/// breadth-first. A value goes left when <c>value &lt;= threshold</c> in both. ML.NET compares NaN as "not less or
/// equal", i.e. right, hence <c>DefaultLeft = false</c> (the product's features have no NaN today).
/// </summary>
internal static class TreeExport
{
    public static GbdtTreeDto Convert(RegressionTreeBase tree, double weight)
    {
        if (tree.CategoricalSplitFlags.Any(c => c))
        {
            throw new NotSupportedException("ML.NET grew a categorical split; the product's trees hold numerical splits only.");
        }

        var feature = new List<int>();
        var threshold = new List<double>();
        var left = new List<int>();
        var right = new List<int>();
        var value = new List<double>();
        var gain = new List<double>();
        // Queue of (ML.NET child reference, index of the product node that stands for it).
        var queue = new Queue<(int Reference, int Node)>();
        int Add(int reference)
        {
            var node = feature.Count;
            feature.Add(-1);
            threshold.Add(0);
            left.Add(-1);
            right.Add(-1);
            value.Add(reference < 0 ? tree.LeafValues[~reference] * weight : 0);
            gain.Add(0);
            queue.Enqueue((reference, node));
            return node;
        }

        // A tree of one leaf has no split nodes at all.
        Add(tree.NumberOfNodes == 0 ? ~0 : 0);
        while (queue.Count > 0)
        {
            var (reference, node) = queue.Dequeue();
            if (reference < 0)
            {
                continue;
            }

            feature[node] = tree.NumericalSplitFeatureIndexes[reference];
            threshold[node] = tree.NumericalSplitThresholds[reference];
            gain[node] = tree.SplitGains[reference];
            left[node] = Add(tree.LeftChild[reference]);
            right[node] = Add(tree.RightChild[reference]);
        }

        return new GbdtTreeDto
        {
            Feature = [.. feature],
            Threshold = [.. threshold],
            DefaultLeft = new bool[feature.Count],
            Left = [.. left],
            Right = [.. right],
            Value = [.. value],
            Cover = new double[feature.Count],
            Gain = [.. gain],
        };
    }

    public static double Predict(GbdtTreeDto tree, ReadOnlySpan<float> row)
    {
        var node = 0;
        while (tree.Feature[node] >= 0)
        {
            var v = row[tree.Feature[node]];
            node = !float.IsNaN(v) ? (v <= tree.Threshold[node] ? tree.Left[node] : tree.Right[node]) : (tree.DefaultLeft[node] ? tree.Left[node] : tree.Right[node]);
        }

        return tree.Value[node];
    }

    /// <summary>
    /// Counts the training rows reaching each node (TreeSHAP's covers) and sets each split node's value to the
    /// cover-weighted mean of its leaves. A leaf no training row reaches (possible when ML.NET bagged) gets a cover of
    /// a small fraction of a row so that TreeSHAP's weights stay defined; its parent's cover still adds up.
    /// </summary>
    public static void Cover(List<GbdtTreeDto> trees, FeatureMatrix x)
    {
        Parallel.For(0, trees.Count, t =>
        {
            var tree = trees[t];
            var cover = tree.Cover;
            for (var r = 0; r < x.Rows; r++)
            {
                var row = x.Row(r);
                var node = 0;
                cover[0]++;
                while (tree.Feature[node] >= 0)
                {
                    var v = row[tree.Feature[node]];
                    node = !float.IsNaN(v) ? (v <= tree.Threshold[node] ? tree.Left[node] : tree.Right[node]) : (tree.DefaultLeft[node] ? tree.Left[node] : tree.Right[node]);
                    cover[node]++;
                }
            }

            // Children come after parents, so a backward pass sees both children before their parent.
            for (var n = cover.Length - 1; n >= 0; n--)
            {
                if (tree.Feature[n] < 0)
                {
                    cover[n] = Math.Max(cover[n], 1e-3);
                    continue;
                }

                var (l, rr) = (tree.Left[n], tree.Right[n]);
                cover[n] = cover[l] + cover[rr];
                tree.Value[n] = ((tree.Value[l] * cover[l]) + (tree.Value[rr] * cover[rr])) / cover[n];
            }
        });
    }
}
