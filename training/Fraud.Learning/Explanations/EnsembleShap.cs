using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Fraud.Learning;

/// <summary>
/// Exact TreeSHAP values and the raw score of the mean of several tree ensembles (the members of a model, each
/// reading its own row of one feature layout) in a single pass over all their trees. Every tree must have at most
/// <see cref="MaxSplits"/> splits (the product's depth-4, 7-leaf trees have 6): its splits are tested once into a
/// split word, and one table row per word holds the leaf the word reaches and the tree's TreeSHAP amounts for its
/// distinct features (the sums over its leaves that <see cref="ShapTables"/> builds, after "Fast TreeSHAP v2",
/// Yang 2021). A tree costs its split tests, one load of its row and one add per distinct feature; the prediction
/// comes from the same row, so explaining does not walk the trees a second time.
/// </summary>
/// <remarks>
/// Measured 2026-12-01 on the bench model (4 members, 1,110 trees, 160 features): the per-member path
/// (<see cref="TreeShap.Explain(GbdtModel, ReadOnlySpan{float}, Span{double})"/> per member, plus the members'
/// <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>) spent most of its time on per-tree overhead (bounds
/// checks, the table's indirections, a scratch row per member summed into the mean), not on arithmetic; docs/performance.md
/// has the figures. The raw score is bit for bit the mean of the members' <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>
/// (leaf values added in tree order from each base score); the contributions are the same sums as the per-member
/// path in another order (equal to ~1e-12), and base value plus contributions is the raw score.
/// Immutable and thread-safe; explaining allocates nothing.
/// </remarks>
public sealed class EnsembleShap
{
    /// <summary>Most splits in a tree: 2^8 table rows per tree.</summary>
    public const int MaxSplits = SplitWords.MaxSplits;

    /// <summary>Most doubles in all tables together (64 MB); a larger ensemble is explained member by member.</summary>
    private const long Budget = 8L << 20;

    private readonly Tree[] _trees;
    private readonly int[] _splitFeatures;
    private readonly float[] _thresholds;
    private readonly int[] _features;
    private readonly double[] _table;
    private readonly int[] _memberEnd;
    private readonly double[] _baseScores;

    private EnsembleShap(int featureCount, double baseValue, Tree[] trees, int[] splitFeatures, float[] thresholds, int[] features, double[] table, int[] memberEnd, double[] baseScores)
    {
        FeatureCount = featureCount;
        BaseValue = baseValue;
        _trees = trees;
        _splitFeatures = splitFeatures;
        _thresholds = thresholds;
        _features = features;
        _table = table;
        _memberEnd = memberEnd;
        _baseScores = baseScores;
    }

    /// <summary>Features of one member's row, and of the contributions.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of ensembles averaged.</summary>
    public int MemberCount => _baseScores.Length;

    /// <summary>Mean of the members' expected values: the base value of the explanations.</summary>
    public double BaseValue { get; }

    /// <summary>Doubles held in the tables (memory is 8 bytes each).</summary>
    public int TableLength => _table.Length;

    /// <summary>
    /// The one-pass tables for the mean of <paramref name="members"/> (every member with the same feature count), or
    /// null when a tree has more than <see cref="MaxSplits"/> splits, a leaf path more distinct features than the
    /// tables take, or the tables would pass their memory budget: then explain member by member.
    /// </summary>
    public static EnsembleShap? TryBuild(IReadOnlyList<GbdtModel> members)
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
        var features = new List<int>();
        var table = new List<double>();
        var memberEnd = new int[members.Count];
        var baseScores = new double[members.Count];
        var expected = 0.0;
        for (var m = 0; m < members.Count; m++)
        {
            var model = members[m];
            if (model.FeatureCount != width)
            {
                throw new ArgumentException($"Member {m + 1} reads {model.FeatureCount} features, member 1 reads {width}.", nameof(members));
            }

            // Built afresh rather than through the model's cache: only these tables are kept.
            var tables = ShapTables.Build(model);
            var nodes = model.Nodes;
            var values = model.Values;
            var roots = model.Roots;
            for (var t = 0; t < roots.Length; t++)
            {
                if (!tables.TryGetWordTable(t, out var splitNodes, out var treeFeatures, out var amounts) || splitNodes.Length > MaxSplits)
                {
                    return null;
                }

                var k = treeFeatures.Length;
                var words = 1 << splitNodes.Length;
                if (table.Count + ((long)words * (k + 1)) > Budget)
                {
                    return null;
                }

                var missingLeft = SplitWords.AddSlots(nodes, splitNodes, m * width, splitFeatures, thresholds);
                trees.Add(new Tree
                {
                    MissingLeft = missingLeft,
                    TableStart = table.Count,
                    FeatureStart = features.Count,
                    FeatureCount = k,
                });
                features.AddRange(treeFeatures);
                for (var word = 0; word < words; word++)
                {
                    table.Add(values[SplitWords.LeafOf(nodes, roots[t], splitNodes, (uint)word)]);
                    table.AddRange(amounts.Slice(word * k, k));
                }
            }

            memberEnd[m] = trees.Count;
            baseScores[m] = model.BaseScore;
            expected += model.ExpectedValue;
        }

        return new EnsembleShap(width, expected / members.Count, [.. trees], [.. splitFeatures], [.. thresholds], [.. features], [.. table], memberEnd, baseScores);
    }

    /// <summary>
    /// Writes the mean over members of their TreeSHAP values into <paramref name="contributions"/> (length
    /// <see cref="FeatureCount"/>, overwritten) and returns the raw score, the mean of the members' raw scores.
    /// <paramref name="rows"/> holds member m's features at <c>rows[m · FeatureCount ..]</c>.
    /// </summary>
    public double Explain(ReadOnlySpan<float> rows, Span<double> contributions)
    {
        if (rows.Length != MemberCount * FeatureCount)
        {
            throw new ArgumentException($"The rows of {MemberCount} members need {MemberCount * FeatureCount} values, got {rows.Length}.", nameof(rows));
        }

        if (contributions.Length != FeatureCount)
        {
            throw new ArgumentException($"Contributions need {FeatureCount} slots, got {contributions.Length}.", nameof(contributions));
        }

        contributions.Clear();
        var sum = Avx2.IsSupported && !ScalarOnly ? Sum<SplitWords.VectorWords>(rows, contributions) : Sum<SplitWords.ScalarWords>(rows, contributions);
        var members = (double)_baseScores.Length;
        for (var f = 0; f < contributions.Length; f++)
        {
            contributions[f] /= members;
        }

        return sum / members;
    }

    /// <summary>Tests set this to check the scalar path on a machine with AVX2.</summary>
    internal static bool ScalarOnly { get; set; }

    // Both paths: every index below was checked when the tables were built (split features < members × width,
    // features < width, table rows inside the table) and the spans' lengths by Explain, so the loads skip bounds
    // checks. Leaf values are added in tree order from each member's base score, as GbdtModel.PredictRaw adds them;
    // the sum of the members' scores is returned and the contributions are summed over members.

    /// <summary>Every member's score summed and its amounts added into phi, the words read by <typeparamref name="TWords"/>.</summary>
    private unsafe double Sum<TWords>(ReadOnlySpan<float> rows, Span<double> contributions)
        where TWords : struct, SplitWords.IWordReader
    {
        ref var phi = ref MemoryMarshal.GetReference(contributions);
        ref var splitFeature = ref MemoryMarshal.GetArrayDataReference(_splitFeatures);
        ref var threshold = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref var feature = ref MemoryMarshal.GetArrayDataReference(_features);
        ref var table = ref MemoryMarshal.GetArrayDataReference(_table);
        var trees = _trees;
        var sum = 0.0;
        var t = 0;
        fixed (float* row = rows)
        {
            for (var m = 0; m < _baseScores.Length; m++)
            {
                var score = _baseScores[m];
                for (var end = _memberEnd[m]; t < end; t++)
                {
                    ref readonly var tree = ref trees[t];
                    var left = TWords.Word(row, ref splitFeature, ref threshold, t, tree.MissingLeft);
                    score += AddRow(ref phi, ref feature, ref table, tree, left);
                }

                sum += score;
            }
        }

        return sum;
    }

    /// <summary>Adds the tree's amounts for split word <paramref name="left"/> into phi; returns the leaf's value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AddRow(ref double phi, ref int feature, ref double table, in Tree tree, uint left)
    {
        ref var entry = ref Unsafe.Add(ref table, tree.TableStart + ((int)left * (tree.FeatureCount + 1)));
        ref var treeFeatures = ref Unsafe.Add(ref feature, tree.FeatureStart);
        for (var j = 0; j < tree.FeatureCount; j++)
        {
            Unsafe.Add(ref phi, Unsafe.Add(ref treeFeatures, j)) += Unsafe.Add(ref entry, j + 1);
        }

        return entry;
    }

    private struct Tree
    {
        public uint MissingLeft;
        public int TableStart;
        public int FeatureStart;
        public int FeatureCount;
    }
}
