using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Fraud.Learning;

/// <summary>
/// The raw score of the mean of several tree ensembles (the members of a model, each reading its own row of one
/// feature layout) from one flat layout of all their trees, for trees of at most <see cref="MaxSplits"/> splits (the
/// product's depth-4, 7-leaf trees have 6). Per tree its splits are tested at once into a split word (bit s set when
/// the row goes left at split s: one AVX2 gather of the split features and two compares), and a table of
/// 2^splits bytes names the leaf that word reaches. So a tree costs a fixed handful of instructions with no
/// data-dependent branch and no chain of dependent node loads, where <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>
/// walks MaxDepth dependent steps per tree. Built once per model (no per-row work, about 190 bytes per tree).
/// </summary>
/// <remarks>
/// The score is bit for bit the mean of the members' <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>: each
/// member's leaf values are added in tree order starting from its base score, the members' scores are summed in member
/// order and divided by the member count, exactly as <c>FraudModel</c> averaged them; only how a leaf is found
/// differs, and a split word reaches the same leaf as the walk (left when <c>x ≤ threshold</c>, a missing value where
/// the split sends missing values). Same split-word idea as <see cref="EnsembleShap"/>, without its TreeSHAP amounts:
/// its tables are about 8 times larger (1.5 MB for the bench model) and it is built only when something is explained.
/// Immutable and thread-safe; scoring allocates nothing. On a machine with AVX-512 VBMI every tree's word is read
/// first, all at once, from the row's threshold ranks (<see cref="RankWords"/>; the same words, fewer instructions),
/// and the leaves are then summed exactly as here.
/// </remarks>
public sealed class SplitWordEnsemble
{
    /// <summary>Most splits in a tree: 2^8 table entries per tree.</summary>
    public const int MaxSplits = SplitWords.MaxSplits;

    private readonly Tree[] _trees;
    private readonly int[] _splitFeatures;
    private readonly float[] _thresholds;
    private readonly byte[] _leafOfWord;
    private readonly double[] _leafValues;
    private readonly int[] _memberEnd;
    private readonly double[] _baseScores;
    private readonly RankWords? _rankWords;

    private SplitWordEnsemble(int featureCount, Tree[] trees, int[] splitFeatures, float[] thresholds, byte[] leafOfWord, double[] leafValues, int[] memberEnd, double[] baseScores)
    {
        _rankWords = RankWords.TryBuild(splitFeatures, thresholds, [.. trees.Select(t => t.MissingLeft)], memberEnd);
        FeatureCount = featureCount;
        _trees = trees;
        _splitFeatures = splitFeatures;
        _thresholds = thresholds;
        _leafOfWord = leafOfWord;
        _leafValues = leafValues;
        _memberEnd = memberEnd;
        _baseScores = baseScores;
    }

    /// <summary>Features of one member's row.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of ensembles averaged.</summary>
    public int MemberCount => _baseScores.Length;

    /// <summary>Trees over every member.</summary>
    public int TreeCount => _trees.Length;

    /// <summary>Bytes the layout holds (split features and thresholds, word tables, leaf values, per-tree offsets).</summary>
    public long Bytes => (_splitFeatures.Length * 8L) + _leafOfWord.Length + (_leafValues.Length * 8L) + (_trees.Length * (long)Unsafe.SizeOf<Tree>());

    /// <summary>Tests set this to check the per-tree paths on a machine that has the faster one.</summary>
    internal static SplitWords.WordSource Words { get; set; }

    /// <summary>Whether the words come from <see cref="RankWords"/> on this machine (tests).</summary>
    internal bool HasRankWords => _rankWords is not null;

    /// <summary>
    /// The flat layout of <paramref name="members"/> (every member with the same feature count), or null when a tree
    /// has more than <see cref="MaxSplits"/> splits: then score member by member.
    /// </summary>
    public static SplitWordEnsemble? TryBuild(IReadOnlyList<GbdtModel> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("At least one member is needed.", nameof(members));
        }

        var width = members[0].FeatureCount;
        var trees = new List<Tree>();
        var splitFeatures = new List<int>();
        var thresholds = new List<float>();
        var leafOfWord = new List<byte>();
        var leafValues = new List<double>();
        var memberEnd = new int[members.Count];
        var baseScores = new double[members.Count];
        Span<int> splitNodes = stackalloc int[MaxSplits];
        for (var m = 0; m < members.Count; m++)
        {
            var model = members[m];
            if (model.FeatureCount != width)
            {
                throw new ArgumentException($"Member {m + 1} reads {model.FeatureCount} features, member 1 reads {width}.", nameof(members));
            }

            var nodes = model.Nodes;
            foreach (var root in model.Roots)
            {
                // A tree's split nodes, depth first.
                var splits = 0;
                if (!Collect(nodes, root, splitNodes, ref splits))
                {
                    return null;
                }

                var (wordStart, leafStart) = (leafOfWord.Count, leafValues.Count);
                var missingLeft = SplitWords.AddTree(nodes, model.Values, root, splitNodes[..splits], m * width, splitFeatures, thresholds, leafOfWord, leafValues);
                trees.Add(new Tree { MissingLeft = missingLeft, WordStart = wordStart, LeafStart = leafStart });
            }

            memberEnd[m] = trees.Count;
            baseScores[m] = model.BaseScore;
        }

        return new SplitWordEnsemble(width, [.. trees], [.. splitFeatures], [.. thresholds], [.. leafOfWord], [.. leafValues], memberEnd, baseScores);
    }

    /// <summary>
    /// The mean of the members' raw scores (log-odds); <paramref name="rows"/> holds member m's features at
    /// <c>rows[m · FeatureCount ..]</c>.
    /// </summary>
    public double PredictRaw(ReadOnlySpan<float> rows)
    {
        if (rows.Length != MemberCount * FeatureCount)
        {
            throw new ArgumentException($"The rows of {MemberCount} members need {MemberCount * FeatureCount} values, got {rows.Length}.", nameof(rows));
        }

        var sum = Words switch
        {
            SplitWords.WordSource.Fastest when _rankWords is { } ranked => Sum<SplitWords.GivenWords>(rows, ranked.Words(rows)),
            not SplitWords.WordSource.PerTreeScalar when Avx2.IsSupported => Sum<SplitWords.VectorWords>(rows, default),
            _ => Sum<SplitWords.ScalarWords>(rows, default),
        };
        return sum / _baseScores.Length;
    }

    // Both paths: every index below was checked when the layout was built (split features < members × width, word
    // tables and leaf slots inside their arrays) and the row's length by PredictRaw, so the loads skip bounds checks.

    /// <summary>
    /// Every member's score summed, the words read by <typeparamref name="TWords"/>, or from <paramref name="words"/>
    /// when it is <see cref="SplitWords.GivenWords"/>; optimised from the first call, like <see cref="EnsembleShap"/>'s loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe double Sum<TWords>(ReadOnlySpan<float> rows, ReadOnlySpan<byte> words)
        where TWords : struct, SplitWords.IWordReader
    {
        ref var splitFeature = ref MemoryMarshal.GetArrayDataReference(_splitFeatures);
        ref var threshold = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref var leafOfWord = ref MemoryMarshal.GetArrayDataReference(_leafOfWord);
        ref var leafValue = ref MemoryMarshal.GetArrayDataReference(_leafValues);
        ref var tree = ref MemoryMarshal.GetArrayDataReference(_trees);
        var sum = 0.0;
        var t = 0;
        fixed (float* row = rows)
        {
            for (var m = 0; m < _baseScores.Length; m++)
            {
                var score = _baseScores[m];
                for (var end = _memberEnd[m]; t < end; t++)
                {
                    ref readonly var shape = ref Unsafe.Add(ref tree, t);
                    var left = typeof(TWords) == typeof(SplitWords.GivenWords) ? words[t] : TWords.Word(row, ref splitFeature, ref threshold, t, shape.MissingLeft);
                    score += Unsafe.Add(ref leafValue, shape.LeafStart + Unsafe.Add(ref leafOfWord, shape.WordStart + (int)left));
                }

                sum += score;
            }
        }

        return sum;
    }

    /// <summary>
    /// The split nodes of the tree at <paramref name="root"/>, depth first; false when it has more than
    /// <see cref="MaxSplits"/> splits.
    /// </summary>
    private static bool Collect(ReadOnlySpan<PredictionNode> nodes, int root, Span<int> splitNodes, ref int splits)
    {
        if (nodes[root].Feature < 0)
        {
            return true;
        }

        if (splits == MaxSplits)
        {
            return false;
        }

        splitNodes[splits++] = root;
        return Collect(nodes, nodes[root].Left, splitNodes, ref splits) && Collect(nodes, nodes[root].Right, splitNodes, ref splits);
    }

    private struct Tree
    {
        public uint MissingLeft;
        public int WordStart;
        public int LeafStart;
    }
}
