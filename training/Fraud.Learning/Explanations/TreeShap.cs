using System.Buffers;

namespace Fraud.Learning;

/// <summary>
/// Exact Shapley values of a tree ensemble's raw score in polynomial time: Algorithm 2 ("TreeSHAP") of
/// Lundberg, Erion &amp; Lee (2018), "Consistent Individualized Feature Attribution for Tree Ensembles". A missing
/// feature is integrated out along the tree using the training covers (path-dependent expectation), so
/// <c>expectedValue + Σ contributions = PredictRaw(row)</c>. O(T·L·D²) per row; no heap allocation for trees of
/// depth up to ~40. Trees with at most six distinct features on any path use <see cref="ShapTables"/> instead:
/// the same values from amounts precomputed per leaf, O(T·L·D) per row.
/// </summary>
public static class TreeShap
{
    private const int StackPathLimit = 1024;

    /// <summary>
    /// Writes each feature's contribution (log-odds) into <paramref name="contributions"/> (length
    /// <see cref="GbdtModel.FeatureCount"/>, overwritten) and returns the expected value (base value).
    /// </summary>
    public static double Explain(GbdtModel model, ReadOnlySpan<float> row, Span<double> contributions) =>
        Explain(model, row, contributions, useTables: true);

    /// <summary>
    /// <see cref="Explain(GbdtModel, ReadOnlySpan{float}, Span{double})"/>; with <paramref name="useTables"/> false every
    /// tree goes through the recursive algorithm (the reference the tables are tested against).
    /// </summary>
    internal static double Explain(GbdtModel model, ReadOnlySpan<float> row, Span<double> contributions, bool useTables)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (row.Length != model.FeatureCount)
        {
            throw new ArgumentException($"The model expects {model.FeatureCount} features, got {row.Length}.", nameof(row));
        }

        if (contributions.Length != model.FeatureCount)
        {
            throw new ArgumentException($"Contributions need {model.FeatureCount} slots, got {contributions.Length}.", nameof(contributions));
        }

        contributions.Clear();
        // Shallow trees (all of them with the product's depth limit) read precomputed amounts; see ShapTables.
        var tables = useTables ? model.ShapTables : null;
        // Path levels are nested, each one element longer than its parent: (D+1)(D+2)/2 elements in all.
        var levels = model.MaxDepth + 2;
        var size = levels * (levels + 1) / 2;
        PathElement[]? rented = null;
        var path = size <= StackPathLimit
            ? stackalloc PathElement[size]
            : (rented = ArrayPool<PathElement>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            var walker = new Walker(model, row, contributions);
            var roots = model.Roots;
            for (var t = 0; t < roots.Length; t++)
            {
                if (tables is not null && tables.Tabled[t])
                {
                    tables.Add(t, model.Nodes, row, contributions);
                }
                else
                {
                    walker.Recurse(roots[t], path, uniqueDepth: 0, zeroFraction: 1, oneFraction: 1, feature: -1);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<PathElement>.Shared.Return(rented);
            }
        }

        return model.ExpectedValue;
    }

    /// <summary>One feature on the current root-to-node path, with the weight of each subset size (the paper's m).</summary>
    private struct PathElement
    {
        public int Feature;

        /// <summary>Fraction of "feature absent" paths that flow this way (cover ratio).</summary>
        public double ZeroFraction;

        /// <summary>1 when the row itself follows this way, else 0.</summary>
        public double OneFraction;

        /// <summary>Permutation weight of subsets of this size.</summary>
        public double Weight;
    }

    private readonly ref struct Walker(GbdtModel model, ReadOnlySpan<float> row, Span<double> phi)
    {
        private readonly ReadOnlySpan<PredictionNode> _nodes = model.Nodes;
        private readonly ReadOnlySpan<double> _values = model.Values;
        private readonly ReadOnlySpan<double> _covers = model.Covers;
        private readonly ReadOnlySpan<float> _row = row;
        private readonly Span<double> _phi = phi;
        private readonly ReadOnlySpan<double> _reciprocals = model.Reciprocals;

        /// <summary>
        /// <paramref name="parentPath"/> holds the parent's path in its first <paramref name="uniqueDepth"/> elements and
        /// free space after; this node's path is built just after it, leaving the parent's intact for the sibling.
        /// </summary>
        public void Recurse(int node, Span<PathElement> parentPath, int uniqueDepth, double zeroFraction, double oneFraction, int feature)
        {
            var path = parentPath[uniqueDepth..];
            parentPath[..uniqueDepth].CopyTo(path);
            Extend(path, uniqueDepth, zeroFraction, oneFraction, feature);

            ref readonly var current = ref _nodes[node];
            if (current.Feature < 0)
            {
                var value = _values[node];
                for (var i = 1; i <= uniqueDepth; i++)
                {
                    var weight = UnwoundSum(path, uniqueDepth, i);
                    _phi[path[i].Feature] += weight * (path[i].OneFraction - path[i].ZeroFraction) * value;
                }

                return;
            }

            var x = _row[current.Feature];
            var hot = x <= current.Threshold ? current.Left : float.IsNaN(x) ? current.Missing : current.Right;
            var cold = hot == current.Left ? current.Right : current.Left;
            var cover = _covers[node];

            // A feature met again on the path is undone first, so that it appears once with the product of its fractions.
            double incomingZero = 1, incomingOne = 1;
            var depth = uniqueDepth;
            var seen = 1;
            while (seen <= depth && path[seen].Feature != current.Feature)
            {
                seen++;
            }

            if (seen <= depth)
            {
                incomingZero = path[seen].ZeroFraction;
                incomingOne = path[seen].OneFraction;
                Unwind(path, depth, seen);
                depth--;
            }

            var below = parentPath[uniqueDepth..];
            Recurse(hot, below, depth + 1, _covers[hot] / cover * incomingZero, incomingOne, current.Feature);
            Recurse(cold, below, depth + 1, _covers[cold] / cover * incomingZero, 0, current.Feature);
        }

        /// <summary>EXTEND: add a feature and update the subset-size weights.</summary>
        private void Extend(Span<PathElement> path, int depth, double zeroFraction, double oneFraction, int feature)
        {
            path[depth] = new PathElement { Feature = feature, ZeroFraction = zeroFraction, OneFraction = oneFraction, Weight = depth == 0 ? 1 : 0 };
            var inverse = _reciprocals[depth + 1];
            for (var i = depth - 1; i >= 0; i--)
            {
                path[i + 1].Weight += oneFraction * path[i].Weight * (i + 1) * inverse;
                path[i].Weight = zeroFraction * path[i].Weight * (depth - i) * inverse;
            }
        }

        /// <summary>UNWIND: remove element <paramref name="index"/>, inverting EXTEND.</summary>
        private void Unwind(Span<PathElement> path, int depth, int index)
        {
            var one = path[index].OneFraction;
            var zero = path[index].ZeroFraction;
            var next = path[depth].Weight;
            var scale = depth + 1.0;
            var inverse = _reciprocals[depth + 1];
            // Divisions hoisted out of the loops: the reciprocal table turns them into multiplications.
            if (one != 0)
            {
                var inverseOne = 1 / one;
                for (var i = depth - 1; i >= 0; i--)
                {
                    var kept = path[i].Weight;
                    path[i].Weight = next * scale * _reciprocals[i + 1] * inverseOne;
                    next = kept - (path[i].Weight * zero * (depth - i) * inverse);
                }
            }
            else
            {
                var inverseZero = 1 / zero;
                for (var i = depth - 1; i >= 0; i--)
                {
                    path[i].Weight = path[i].Weight * scale * _reciprocals[depth - i] * inverseZero;
                }
            }

            for (var i = index; i < depth; i++)
            {
                path[i].Feature = path[i + 1].Feature;
                path[i].ZeroFraction = path[i + 1].ZeroFraction;
                path[i].OneFraction = path[i + 1].OneFraction;
            }
        }

        /// <summary>Total weight the path would have without element <paramref name="index"/>, without modifying it.</summary>
        private double UnwoundSum(Span<PathElement> path, int depth, int index)
        {
            var one = path[index].OneFraction;
            var zero = path[index].ZeroFraction;
            var scale = depth + 1.0;
            double total = 0;
            if (one != 0)
            {
                var next = path[depth].Weight;
                var inverse = _reciprocals[depth + 1];
                var inverseOne = 1 / one;
                for (var i = depth - 1; i >= 0; i--)
                {
                    var weight = next * scale * _reciprocals[i + 1] * inverseOne;
                    total += weight;
                    next = path[i].Weight - (weight * zero * (depth - i) * inverse);
                }
            }
            else if (zero != 0)
            {
                var inverseZero = 1 / zero;
                for (var i = depth - 1; i >= 0; i--)
                {
                    total += path[i].Weight * inverseZero * scale * _reciprocals[depth - i];
                }
            }

            return total;
        }
    }
}
