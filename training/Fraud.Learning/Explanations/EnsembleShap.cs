using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Fraud.Learning;

/// <summary>
/// Exact TreeSHAP values and the raw score of the mean of several tree ensembles (the members of a model, each
/// reading its own row of one feature layout) in a single pass over all their trees. Every tree must have at most
/// <see cref="MaxSplits"/> splits (the product's depth-4, 7-leaf trees have 6): its splits are tested once into a
/// split word, a byte per word names the leaf it reaches (as in <see cref="SplitWordEnsemble"/>), and one table row
/// per word holds the tree's TreeSHAP amounts for its distinct features (the sums over its leaves that
/// <see cref="ShapTables"/> builds, after "Fast TreeSHAP v2", Yang 2021). A tree costs its split tests, two small
/// loads (leaf byte, leaf value), one row load and one add per distinct feature; explaining does not walk the trees
/// a second time.
/// </summary>
/// <remarks>
/// <para>Measured 2026-12-01 on the bench model (4 members, 1,110 trees, 160 features): the per-member path
/// (<see cref="TreeShap.Explain(GbdtModel, ReadOnlySpan{float}, Span{double})"/> per member, plus the members'
/// <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>) spent most of its time on per-tree overhead (bounds
/// checks, the table's indirections, a scratch row per member summed into the mean), not on arithmetic; docs/performance.md
/// has the figures.</para>
/// <para>Compact rows (2026-12-02): the rows hold the amounts as floats, and the leaf value is out of the rows (a byte
/// per word names the tree's leaf, a double per leaf), so the tables are less than half the size (1.5 MB instead of 3.3 MB
/// for the bench model). That matters in a handler, whose other work evicts them from the 2 MB L2 between requests:
/// with 2 to 4 MB of other memory written between baskets the pass took 23 to 54 % less time than with the double rows,
/// and no more with none (docs/performance.md, fifth round). Each amount is TreeSHAP's value rounded to float (relative error ≤ 6e-8); their rounding errors, summed
/// over all trees (about 1e-7 in log-odds), are added to the largest contribution, so base value plus contributions
/// is still the raw score to double rounding.</para>
/// <para>The raw score is bit for bit the mean of the members' <see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>
/// (leaf values added in tree order from each base score). Immutable and thread-safe; explaining allocates nothing.</para>
/// <para>On a machine with AVX-512 VBMI the first pass takes every tree's word from <see cref="RankWords"/> (computed
/// for all trees at once before it) instead of testing each tree's splits (seventh round, 2026-12-02).</para>
/// </remarks>
public sealed class EnsembleShap
{
    /// <summary>Most splits in a tree: 2^8 table rows per tree.</summary>
    public const int MaxSplits = SplitWords.MaxSplits;

    /// <summary>Most floats in all tables together (32 MB); a larger ensemble is explained member by member.</summary>
    private const long Budget = 8L << 20;

    private readonly Tree[] _trees;
    private readonly int[] _splitFeatures;
    private readonly float[] _thresholds;
    private readonly byte[] _leafOfWord;
    private readonly double[] _leafValues;
    private readonly int[] _features;
    private readonly float[] _table;
    private readonly int[] _memberEnd;
    private readonly double[] _baseScores;
    private readonly RankWords? _rankWords;

    private EnsembleShap(int featureCount, double baseValue, Tree[] trees, int[] splitFeatures, float[] thresholds, byte[] leafOfWord, double[] leafValues, int[] features, float[] table, int[] memberEnd, double[] baseScores)
    {
        FeatureCount = featureCount;
        BaseValue = baseValue;
        _trees = trees;
        _splitFeatures = splitFeatures;
        _thresholds = thresholds;
        _leafOfWord = leafOfWord;
        _leafValues = leafValues;
        _features = features;
        _table = table;
        _memberEnd = memberEnd;
        _baseScores = baseScores;
        _rankWords = RankWords.TryBuild(splitFeatures, thresholds, [.. trees.Select(t => t.MissingLeft)], memberEnd);
    }

    /// <summary>Features of one member's row, and of the contributions.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of ensembles averaged.</summary>
    public int MemberCount => _baseScores.Length;

    /// <summary>Mean of the members' expected values: the base value of the explanations.</summary>
    public double BaseValue { get; }

    /// <summary>Bytes of the per-explanation data: split slots, leaf bytes and values, amount rows, tree records.</summary>
    public long Bytes => (_splitFeatures.Length * 8L) + _leafOfWord.Length + (_leafValues.Length * 8L) + (_features.Length * 4L)
        + (_table.Length * 4L) + (_trees.Length * (long)Unsafe.SizeOf<Tree>());

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
        var leafOfWord = new List<byte>();
        var leafValues = new List<double>();
        var features = new List<int>();
        var table = new List<float>();
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
                if (table.Count + ((long)words * k) > Budget)
                {
                    return null;
                }

                var (wordStart, leafStart) = (leafOfWord.Count, leafValues.Count);
                var missingLeft = SplitWords.AddTree(nodes, values, roots[t], splitNodes, m * width, splitFeatures, thresholds, leafOfWord, leafValues);
                trees.Add(new Tree
                {
                    MissingLeft = missingLeft,
                    WordStart = wordStart,
                    LeafStart = leafStart,
                    TableStart = table.Count,
                    FeatureStart = features.Count,
                    FeatureCount = k,
                });
                features.AddRange(treeFeatures);

                // Word-major, k amounts per split word.
                foreach (var amount in amounts)
                {
                    table.Add((float)amount);
                }
            }

            memberEnd[m] = trees.Count;
            baseScores[m] = model.BaseScore;
            expected += model.ExpectedValue;
        }

        return new EnsembleShap(width, expected / members.Count, [.. trees], [.. splitFeatures], [.. thresholds], [.. leafOfWord], [.. leafValues], [.. features], [.. table], memberEnd, baseScores);
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
        var sum = Words switch
        {
            SplitWords.WordSource.Fastest when _rankWords is { } ranked => Sum<SplitWords.GivenWords>(rows, contributions, ranked.Words(rows)),
            not SplitWords.WordSource.PerTreeScalar when Avx2.IsSupported => Sum<SplitWords.VectorWords>(rows, contributions, default),
            _ => Sum<SplitWords.ScalarWords>(rows, contributions, default),
        };
        var members = (double)_baseScores.Length;
        var raw = sum / members;

        // The amounts' float rounding, summed over every tree, goes to the largest contribution: base value plus
        // contributions is then the raw score to double rounding, as TreeSHAP's values add up.
        var total = 0.0;
        var largest = 0;
        for (var f = 0; f < contributions.Length; f++)
        {
            contributions[f] /= members;
            total += contributions[f];
            largest = Math.Abs(contributions[f]) > Math.Abs(contributions[largest]) ? f : largest;
        }

        if (contributions.Length > 0)
        {
            contributions[largest] += raw - BaseValue - total;
        }

        return raw;
    }

    /// <summary>Tests set this to check the per-tree paths on a machine that has the faster one.</summary>
    internal static SplitWords.WordSource Words { get; set; }

    /// <summary>Whether the words come from <see cref="RankWords"/> on this machine (tests).</summary>
    internal bool HasRankWords => _rankWords is not null;

    // Both paths: every index below was checked when the tables were built (split features < members × width,
    // features < width, leaf bytes, leaf values and table rows inside their arrays) and the spans' lengths by Explain,
    // so the loads skip bounds checks. Leaf values are added in tree order from each member's base score, as
    // GbdtModel.PredictRaw adds them; the sum of the members' scores is returned and the contributions are summed over
    // members. Optimised from the first call (a handler's first requests after a cold start otherwise run this loop
    // unoptimised for seconds under load: seen in a perf profile).
    //
    // Two passes (2026-12-02, sixth round): the first tests every tree's splits, adds its leaf value and notes where its
    // amounts row starts, prefetching that row; the second adds the rows. Every other array here is read in tree order
    // and streams, but each tree's row is one of its 2^splits rows, so in one pass each row was a cache miss that only
    // started once that tree's word was known. In a handler the rest of a request evicts the tables between requests
    // (L2 is 2 MB a core here), and those ~1,000 misses were most of the explanation's time; issued together they
    // overlap. Same additions in the same order as before, so the same doubles. Measured in docs/performance.md.

    /// <summary>Where each tree's amounts row starts, per thread (one int per tree).</summary>
    [ThreadStatic]
    private static int[]? _rowStarts;

    /// <summary>
    /// Every member's score summed and its amounts added into phi, the words read by <typeparamref name="TWords"/>, or
    /// from <paramref name="words"/> when it is <see cref="SplitWords.GivenWords"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe double Sum<TWords>(ReadOnlySpan<float> rows, Span<double> contributions, ReadOnlySpan<byte> words)
        where TWords : struct, SplitWords.IWordReader
    {
        ref var phi = ref MemoryMarshal.GetReference(contributions);
        ref var splitFeature = ref MemoryMarshal.GetArrayDataReference(_splitFeatures);
        ref var threshold = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref var leafOfWord = ref MemoryMarshal.GetArrayDataReference(_leafOfWord);
        ref var leafValue = ref MemoryMarshal.GetArrayDataReference(_leafValues);
        ref var feature = ref MemoryMarshal.GetArrayDataReference(_features);
        ref var trees = ref MemoryMarshal.GetArrayDataReference(_trees);
        var starts = _rowStarts is { } buffer && buffer.Length >= _trees.Length ? buffer : _rowStarts = new int[_trees.Length];
        ref var start = ref MemoryMarshal.GetArrayDataReference(starts);
        var sum = 0.0;
        var t = 0;
        fixed (float* row = rows)
        fixed (float* table = _table)
        {
            for (var m = 0; m < _baseScores.Length; m++)
            {
                var score = _baseScores[m];
                for (var end = _memberEnd[m]; t < end; t++)
                {
                    ref readonly var tree = ref Unsafe.Add(ref trees, t);
                    var left = typeof(TWords) == typeof(SplitWords.GivenWords) ? words[t] : (int)TWords.Word(row, ref splitFeature, ref threshold, t, tree.MissingLeft);
                    score += Unsafe.Add(ref leafValue, tree.LeafStart + Unsafe.Add(ref leafOfWord, tree.WordStart + left));
                    var at = tree.TableStart + (left * tree.FeatureCount);
                    Unsafe.Add(ref start, t) = at;
                    if (Sse.IsSupported)
                    {
                        Sse.Prefetch0(table + at);
                    }
                }

                sum += score;
            }

            for (t = 0; t < _trees.Length; t++)
            {
                ref readonly var tree = ref Unsafe.Add(ref trees, t);
                var entry = table + Unsafe.Add(ref start, t);
                ref var treeFeatures = ref Unsafe.Add(ref feature, tree.FeatureStart);
                for (var j = 0; j < tree.FeatureCount; j++)
                {
                    Unsafe.Add(ref phi, Unsafe.Add(ref treeFeatures, j)) += entry[j];
                }
            }
        }

        return sum;
    }

    private struct Tree
    {
        public uint MissingLeft;
        public int WordStart;
        public int LeafStart;
        public int TableStart;
        public int FeatureStart;
        public int FeatureCount;
    }
}
