using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fraud.Learning;

/// <summary>
/// Every tree's split word of a flat split-word layout (<see cref="SplitWords"/>) at once, without a gather: each
/// feature a member's splits read is first turned into its rank among that member's thresholds on it, a byte, and the
/// words of eight trees at a time then come from one AVX-512 byte permute (the 64 split slots' feature ranks looked up
/// in the member's rank table) and two byte compares. The same words as <see cref="SplitWords.VectorWords"/> and
/// <see cref="SplitWords.ScalarWords"/>, bit for bit.
/// </summary>
/// <remarks>
/// <para>Why (2026-12-02, seventh round; docs/performance.md "Seventh round"): in a process that also explains (so the
/// layout is not all in L1 when the next basket comes), the bench model's ~1,000 per-tree AVX2 gathers and compares
/// took about 4 µs of a 7 µs plain score; from ranks the words take about 2 µs, and the plain score fell 19 % and the
/// TreeSHAP pass (<see cref="EnsembleShap"/>, which takes its words the same way) 14 %. With everything in L1 (a loop
/// of plain scores only) both readers cost the same.</para>
/// <para>The rank of x on a feature is the number of that member's distinct thresholds on the feature that are below
/// x. A split on the feature with threshold t sends x left when x ≤ t, which is exactly when the rank of x is at most
/// the number of distinct thresholds below t (every threshold below x is then below t, and if x &gt; t then t and every
/// threshold below it are below x). A missing value (NaN) gets rank 255 and goes left only where the split sends
/// missing values left, as in the other readers; an unused slot never sets its bit.</para>
/// <para>Built only where it fits: AVX-512 with VBMI (the byte permute), at most 128 distinct features read per
/// member (two 64-byte rank tables) and at most 254 distinct thresholds on one feature of one member (a byte rank
/// below the missing value's 255); the product's trees read about 80 features per member with at most ~45
/// thresholds each. Otherwise the caller keeps its per-tree words. Immutable and thread-safe; the words go into one
/// buffer per thread, allocated on its first call.</para>
/// </remarks>
internal sealed class RankWords
{
    /// <summary>Most distinct features one member's trees may read: two 64-byte rank tables.</summary>
    public const int MaxFeaturesPerMember = 128;

    /// <summary>Most distinct thresholds on one feature of one member: ranks 0..254, 255 is a missing value.</summary>
    public const int MaxThresholdsPerFeature = 254;

    private const byte MissingRank = 255;
    private const int Lanes = 16;

    // Per member m: its features are _featureRow[_memberFeatureEnd[m-1] .. _memberFeatureEnd[m]) (row positions,
    // the member's offset included), ordered by block count so the rank loop's trip counts come in runs; feature u's
    // thresholds ascend in _blocks[_blockStart[u] ..], _blockCount[u] blocks of 16 padded with NaN (never below x).
    private readonly int[] _featureRow;
    private readonly int[] _blockStart;
    private readonly int[] _blockCount;
    private readonly int[] _memberFeatureEnd;
    private readonly float[] _blocks;

    // Per chunk of eight consecutive trees of one member (a member's last chunk may hold fewer): its first tree, and
    // per slot (tree j, slot s at byte 8j + s) the slot's feature as a rank-table index and its threshold's rank.
    private readonly int[] _chunkTree;
    private readonly int[] _memberChunkEnd;
    private readonly byte[] _slotFeature;
    private readonly byte[] _slotRank;
    private readonly ulong[] _usedSlots;
    private readonly ulong[] _missingLeftSlots;

    // The row length the split features need.
    private readonly int _rowLength;

    [ThreadStatic]
    private static byte[]? _threadWords;

    private RankWords(int treeCount, int[] featureRow, int[] blockStart, int[] blockCount, int[] memberFeatureEnd, float[] blocks, int[] chunkTree, int[] memberChunkEnd, byte[] slotFeature, byte[] slotRank, ulong[] usedSlots, ulong[] missingLeftSlots)
    {
        TreeCount = treeCount;
        _featureRow = featureRow;
        _blockStart = blockStart;
        _blockCount = blockCount;
        _memberFeatureEnd = memberFeatureEnd;
        _blocks = blocks;
        _chunkTree = chunkTree;
        _memberChunkEnd = memberChunkEnd;
        _slotFeature = slotFeature;
        _slotRank = slotRank;
        _usedSlots = usedSlots;
        _missingLeftSlots = missingLeftSlots;
        _rowLength = featureRow.Length == 0 ? 0 : featureRow.Max() + 1;
    }

    /// <summary>Whether this machine has the instructions (AVX-512 F, BW and VBMI).</summary>
    public static bool IsSupported => Avx512Vbmi.IsSupported && Avx512BW.IsSupported && Avx512F.IsSupported;

    /// <summary>Trees whose words <see cref="Words"/> writes.</summary>
    public int TreeCount { get; }

    /// <summary>
    /// The layout for a flat split-word layout: tree t's <see cref="SplitWords.MaxSplits"/> slots at
    /// <c>splitFeatures[8t ..]</c> and <c>thresholds[8t ..]</c> (an unused slot's threshold is NaN), the splits that send
    /// missing values left in <paramref name="missingLeft"/>[t], member m's trees ending at
    /// <paramref name="memberEnd"/>[m]. Null when the machine lacks the instructions or the trees do not fit (see the
    /// remarks); then read words per tree.
    /// </summary>
    public static RankWords? TryBuild(ReadOnlySpan<int> splitFeatures, ReadOnlySpan<float> thresholds, ReadOnlySpan<uint> missingLeft, ReadOnlySpan<int> memberEnd)
    {
        if (!IsSupported)
        {
            return null;
        }

        const int Slots = SplitWords.MaxSplits;
        var featureRow = new List<int>();
        var blockStart = new List<int>();
        var blockCount = new List<int>();
        var memberFeatureEnd = new int[memberEnd.Length];
        var blocks = new List<float>();
        var chunkTree = new List<int>();
        var memberChunkEnd = new int[memberEnd.Length];
        var slotFeature = new List<byte>();
        var slotRank = new List<byte>();
        var usedSlots = new List<ulong>();
        var missingLeftSlots = new List<ulong>();
        var first = 0;
        for (var m = 0; m < memberEnd.Length; m++)
        {
            var end = memberEnd[m];

            // The member's distinct thresholds per feature, ascending. A slot whose threshold is NaN never sends a
            // value left by comparison, but sends a missing value left when its missing-left bit is set (the
            // per-tree readers do exactly that; an unused slot has the bit clear): its feature needs a rank too.
            var byFeature = new Dictionary<int, SortedSet<float>>();
            for (var i = first * Slots; i < end * Slots; i++)
            {
                var compared = !float.IsNaN(thresholds[i]);
                if (compared || MissingLeft(missingLeft, i))
                {
                    if (!byFeature.TryGetValue(splitFeatures[i], out var set))
                    {
                        byFeature[splitFeatures[i]] = set = new SortedSet<float>(FloatOrder.Instance);
                    }

                    if (compared)
                    {
                        set.Add(thresholds[i]);
                    }
                }
            }

            if (byFeature.Count > MaxFeaturesPerMember || byFeature.Values.Any(set => set.Count > MaxThresholdsPerFeature))
            {
                return null;
            }

            var table = new Dictionary<int, (int Index, float[] Sorted)>();
            foreach (var (feature, set) in byFeature.OrderBy(p => (p.Value.Count + Lanes - 1) / Lanes).ThenBy(p => p.Key))
            {
                var sorted = set.ToArray();
                table[feature] = (table.Count, sorted);
                featureRow.Add(feature);
                blockStart.Add(blocks.Count);
                var count = (sorted.Length + Lanes - 1) / Lanes;
                blockCount.Add(count);
                blocks.AddRange(sorted);
                for (var p = sorted.Length; p < count * Lanes; p++)
                {
                    blocks.Add(float.NaN);
                }
            }

            memberFeatureEnd[m] = featureRow.Count;
            for (var t = first; t < end; t += 8)
            {
                ulong used = 0, missing = 0;
                chunkTree.Add(t);
                for (var j = 0; j < 8; j++)
                {
                    for (var s = 0; s < Slots; s++)
                    {
                        var i = ((t + j) * Slots) + s;
                        var compared = t + j < end && !float.IsNaN(thresholds[i]);
                        if (compared || (t + j < end && MissingLeft(missingLeft, i)))
                        {
                            var (index, sorted) = table[splitFeatures[i]];
                            slotFeature.Add((byte)index);
                            // Distinct thresholds below this one: its position in the ascending list.
                            slotRank.Add(compared ? (byte)Array.BinarySearch(sorted, thresholds[i], FloatOrder.Instance) : (byte)0);
                            var bit = 1UL << ((j * 8) + s);
                            used |= compared ? bit : 0;
                            missing |= MissingLeft(missingLeft, i) ? bit : 0;
                        }
                        else
                        {
                            slotFeature.Add(0);
                            slotRank.Add(0);
                        }
                    }
                }

                usedSlots.Add(used);
                missingLeftSlots.Add(missing);
            }

            memberChunkEnd[m] = chunkTree.Count;
            first = end;
        }

        return new RankWords(first, [.. featureRow], [.. blockStart], [.. blockCount], memberFeatureEnd, [.. blocks], [.. chunkTree], memberChunkEnd, [.. slotFeature], [.. slotRank], [.. usedSlots], [.. missingLeftSlots]);
    }

    /// <summary>Whether slot <paramref name="slot"/> (tree slot / 8, bit slot % 8) sends missing values left.</summary>
    private static bool MissingLeft(ReadOnlySpan<uint> missingLeft, int slot) =>
        ((missingLeft[slot / SplitWords.MaxSplits] >> (slot % SplitWords.MaxSplits)) & 1) == 1;

    /// <summary>
    /// Every tree's split word, tree t's at <c>[t]</c>, for <paramref name="rows"/> (the members' rows side by side):
    /// this thread's buffer, valid until the thread's next call.
    /// </summary>
    public unsafe ReadOnlySpan<byte> Words(ReadOnlySpan<float> rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows.Length, _rowLength, nameof(rows));
        // One spare 8-byte store past the last tree (a short last chunk writes all eight of its bytes).
        var buffer = _threadWords is { } words && words.Length >= TreeCount + 8 ? words : _threadWords = new byte[TreeCount + 8];
        fixed (float* row = rows)
        fixed (byte* destination = buffer)
        {
            Write(row, destination);
        }

        return buffer.AsSpan(0, TreeCount);
    }

    /// <summary>Writes every tree's word to <c>destination[t]</c> (room for <see cref="TreeCount"/> + 8 bytes; the row checked by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private unsafe void Write(float* row, byte* destination)
    {
        // A member's rank table; entries past its feature count are never read unmasked (unused slots index entry 0
        // and are masked out), so the table is not cleared.
        var ranks = stackalloc byte[MaxFeaturesPerMember];
        ref var featureRow = ref MemoryMarshal.GetArrayDataReference(_featureRow);
        ref var blockStart = ref MemoryMarshal.GetArrayDataReference(_blockStart);
        ref var blockCount = ref MemoryMarshal.GetArrayDataReference(_blockCount);
        ref var chunkTree = ref MemoryMarshal.GetArrayDataReference(_chunkTree);
        ref var usedSlots = ref MemoryMarshal.GetArrayDataReference(_usedSlots);
        ref var missingLeftSlots = ref MemoryMarshal.GetArrayDataReference(_missingLeftSlots);
        var missingRank = Vector512.Create(MissingRank);
        fixed (float* blocks = _blocks)
        fixed (byte* slotFeature = _slotFeature, slotRank = _slotRank)
        {
            int u = 0, c = 0;
            for (var m = 0; m < _memberFeatureEnd.Length; m++)
            {
                for (var r = 0; u < _memberFeatureEnd[m]; u++, r++)
                {
                    var x = row[Unsafe.Add(ref featureRow, u)];
                    var block = blocks + Unsafe.Add(ref blockStart, u);
                    var below = 0;
                    var broadcast = Vector512.Create(x);
                    for (var b = 0; b < Unsafe.Add(ref blockCount, u); b++)
                    {
                        below += BitOperations.PopCount(Vector512.LessThan(Vector512.Load(block + (b * Lanes)), broadcast).ExtractMostSignificantBits());
                    }

                    ranks[r] = float.IsNaN(x) ? MissingRank : (byte)below;
                }

                var lower = Vector512.Load(ranks);
                var upper = Vector512.Load(ranks + 64);
                for (; c < _memberChunkEnd[m]; c++)
                {
                    var slotRanks = Avx512Vbmi.PermuteVar64x8x2(lower, Vector512.Load(slotFeature + (c * 64)), upper);
                    var left = Vector512.LessThanOrEqual(slotRanks, Vector512.Load(slotRank + (c * 64))).ExtractMostSignificantBits() & Unsafe.Add(ref usedSlots, c);
                    var missing = Vector512.Equals(slotRanks, missingRank).ExtractMostSignificantBits() & Unsafe.Add(ref missingLeftSlots, c);
                    // Byte j is tree (first + j)'s word; a short last chunk's extra bytes land on the next member's
                    // first words, which its own chunk overwrites next, or on the spare bytes past the last tree.
                    Unsafe.WriteUnaligned(destination + Unsafe.Add(ref chunkTree, c), left | missing);
                }
            }
        }
    }

    /// <summary>Ascending float order that ties 0 and −0, as the split comparisons do (NaN never reaches it).</summary>
    private sealed class FloatOrder : IComparer<float>
    {
        public static readonly FloatOrder Instance = new();

        public int Compare(float x, float y) => x < y ? -1 : x > y ? 1 : 0;
    }
}
