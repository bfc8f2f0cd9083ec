using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fraud.Learning;

/// <summary>
/// The split-word layout shared by <see cref="SplitWordEnsemble"/> (plain scores) and <see cref="EnsembleShap"/>
/// (scores with TreeSHAP): a tree of at most <see cref="MaxSplits"/> splits keeps its split features and thresholds in
/// eight slots side by side, and a row's split word has bit s set when the row goes left at split s. What each class
/// looks up with the word (a leaf, or a leaf and its TreeSHAP amounts) is its own.
/// </summary>
internal static class SplitWords
{
    /// <summary>Slots per tree: 2^8 words.</summary>
    public const int MaxSplits = 8;

    /// <summary>Where a split word comes from. Tests pin the per-tree readers on a machine that has the faster one.</summary>
    public enum WordSource
    {
        /// <summary><see cref="RankWords"/> where built, else <see cref="VectorWords"/> with AVX2, else <see cref="ScalarWords"/>.</summary>
        Fastest,

        /// <summary><see cref="VectorWords"/> with AVX2, else <see cref="ScalarWords"/>.</summary>
        PerTreeGather,

        /// <summary><see cref="ScalarWords"/>.</summary>
        PerTreeScalar,
    }


    /// <summary>
    /// Appends a tree's eight slots (split feature offset by <paramref name="featureOffset"/>, threshold) and returns the
    /// mask of the splits that send missing values left.
    /// </summary>
    public static uint AddSlots(ReadOnlySpan<PredictionNode> nodes, ReadOnlySpan<int> splitNodes, int featureOffset, List<int> splitFeatures, List<float> thresholds)
    {
        var missingLeft = 0u;
        for (var s = 0; s < MaxSplits; s++)
        {
            if (s < splitNodes.Length)
            {
                ref readonly var node = ref nodes[splitNodes[s]];
                splitFeatures.Add(featureOffset + node.Feature);
                thresholds.Add(node.Threshold);
                missingLeft |= node.Missing == node.Left ? 1u << s : 0;
            }
            else
            {
                // An unused slot: x <= NaN is false and it never sends missing values left, so its bit is 0.
                splitFeatures.Add(0);
                thresholds.Add(float.NaN);
            }
        }

        return missingLeft;
    }

    /// <summary>
    /// Appends one tree (its split nodes <paramref name="splitNodes"/>, at most <see cref="MaxSplits"/>) to a flat layout:
    /// its eight slots (<see cref="AddSlots"/>), a byte per split word naming the leaf the word reaches among the tree's
    /// leaves, and those leaves' values in order of first appearance. The tree's word bytes start at the
    /// <paramref name="leafOfWord"/> count and its leaf values at the <paramref name="leafValues"/> count before the
    /// call; returns the mask of the splits that send missing values left.
    /// </summary>
    public static uint AddTree(ReadOnlySpan<PredictionNode> nodes, ReadOnlySpan<double> values, int root, ReadOnlySpan<int> splitNodes, int featureOffset, List<int> splitFeatures, List<float> thresholds, List<byte> leafOfWord, List<double> leafValues)
    {
        var missingLeft = AddSlots(nodes, splitNodes, featureOffset, splitFeatures, thresholds);
        Span<int> leaves = stackalloc int[MaxSplits + 1];
        var leafCount = 0;
        for (var word = 0u; word < 1u << splitNodes.Length; word++)
        {
            var leaf = LeafOf(nodes, root, splitNodes, word);
            var index = leaves[..leafCount].IndexOf(leaf);
            if (index < 0)
            {
                index = leafCount;
                leaves[leafCount++] = leaf;
                leafValues.Add(values[leaf]);
            }

            leafOfWord.Add((byte)index);
        }

        return missingLeft;
    }

    /// <summary>The leaf a row reaches when bit s of <paramref name="word"/> says whether it goes left at <c>splitNodes[s]</c>.</summary>
    public static int LeafOf(ReadOnlySpan<PredictionNode> nodes, int root, ReadOnlySpan<int> splitNodes, uint word)
    {
        var n = root;
        while (nodes[n].Feature >= 0)
        {
            var s = splitNodes.IndexOf(n);
            n = ((word >> s) & 1) == 1 ? nodes[n].Left : nodes[n].Right;
        }

        return n;
    }

    /// <summary>
    /// A tree's split word: <see cref="VectorWords"/> (one AVX2 gather and two compares; the caller
    /// checked AVX2) or <see cref="ScalarWords"/> (one slot at a time). A type parameter rather than a branch, so the
    /// one tree loop of each caller is compiled once per kind with the word inlined. The caller checked every split
    /// feature against the row's length.
    /// </summary>
    public unsafe interface IWordReader
    {
        static abstract uint Word(float* row, ref int splitFeature, ref float threshold, int t, uint missingLeft);
    }

    /// <summary>Words with one AVX2 gather and two compares per tree (its 8 split slots side by side).</summary>
    public readonly unsafe struct VectorWords : IWordReader
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Word(float* row, ref int splitFeature, ref float threshold, int t, uint missingLeft)
        {
            var x = Avx2.GatherVector256(row, Vector256.LoadUnsafe(ref splitFeature, (nuint)t * MaxSplits), 4);
            var limit = Vector256.LoadUnsafe(ref threshold, (nuint)t * MaxSplits);
            var left = Vector256.LessThanOrEqual(x, limit).ExtractMostSignificantBits();
            // A missing value fails the comparison; it goes left where the split sends missing values left.
            return left | ((~Vector256.Equals(x, x)).ExtractMostSignificantBits() & missingLeft);
        }
    }

    /// <summary>
    /// Marks a loop whose words were written beforehand (by <see cref="RankWords"/>): it reads tree t's word from its
    /// word bytes and never calls <see cref="Word"/>.
    /// </summary>
    public readonly unsafe struct GivenWords : IWordReader
    {
        public static uint Word(float* row, ref int splitFeature, ref float threshold, int t, uint missingLeft) =>
            throw new InvalidOperationException("Given words are read from their bytes.");
    }

    /// <summary>Words one slot at a time, for machines without AVX2.</summary>
    public readonly unsafe struct ScalarWords : IWordReader
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Word(float* row, ref int splitFeature, ref float threshold, int t, uint missingLeft)
        {
            ref var splits = ref Unsafe.Add(ref splitFeature, t * MaxSplits);
            ref var limits = ref Unsafe.Add(ref threshold, t * MaxSplits);
            uint left = 0, missing = 0;
            // All 8 slots: an unused one (threshold NaN, never missing-left) adds a 0 bit.
            for (var s = 0; s < MaxSplits; s++)
            {
                var x = row[Unsafe.Add(ref splits, s)];
                left |= (x <= Unsafe.Add(ref limits, s) ? 1u : 0u) << s;
                missing |= (float.IsNaN(x) ? 1u : 0u) << s;
            }

            return left | (missing & missingLeft);
        }
    }
}
