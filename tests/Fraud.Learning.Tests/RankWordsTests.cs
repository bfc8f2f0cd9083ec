namespace Fraud.Learning.Tests;

public sealed class RankWordsTests
{
    private const int Slots = SplitWords.MaxSplits;

    [Fact]
    public unsafe void RankWordsAreThePerTreeWordsBitForBit()
    {
        // Layouts at the limits: member 0 reads 128 features, one of them split at 254 distinct thresholds; member 1
        // reads a handful with ties between trees and one slot that only sends missing values left; member 2 has 13 trees (a short last chunk before member 3's first
        // trees) and 0 and −0 thresholds; member 3 has a single tree. Rows mix thresholds, their float neighbours,
        // NaN, infinities and both zeros: every place where a rank could disagree with a comparison.
        const int Width = 150;
        var random = new Random(11);
        var splitFeatures = new List<int>();
        var thresholds = new List<float>();
        var missingLeft = new List<uint>();
        var memberEnd = new List<int>();
        var pools = new List<float[]>();
        void AddTree(int member, Func<int, (int Feature, float Threshold)?> slot)
        {
            uint missing = 0;
            for (var s = 0; s < Slots; s++)
            {
                if (slot(s) is { } split)
                {
                    splitFeatures.Add((member * Width) + split.Feature);
                    thresholds.Add(split.Threshold);
                    missing |= random.Next(2) == 0 ? 1u << s : 0;
                }
                else
                {
                    splitFeatures.Add(0);
                    thresholds.Add(float.NaN);
                }
            }

            missingLeft.Add(missing);
        }

        var wide = Enumerable.Range(0, 254).Select(i => (i - 100) * 0.37f).ToArray();
        pools.AddRange([wide, [-1.5f, 0f, 2.25f, 2.25f, 7f], [0f, -0f, 1f], [3f]]);
        for (var t = 0; t < 128 / 6 + 1; t++)
        {
            AddTree(0, s => s < 6 ? ((t * 6) + s < 128 ? (t * 6) + s : random.Next(128), random.Next(4) == 0 ? wide[(t * 6) + s] : wide[random.Next(wide.Length)]) : null);
        }

        // Every one of the wide feature's thresholds is used once.
        for (var t = 0; t < wide.Length / 6 + 1; t++)
        {
            AddTree(0, s => s < 6 && (t * 6) + s < wide.Length ? (0, wide[(t * 6) + s]) : null);
        }

        memberEnd.Add(missingLeft.Count);
        for (var t = 0; t < 30; t++)
        {
            AddTree(1, s => s < 7 ? (random.Next(5), pools[1][random.Next(pools[1].Length)]) : null);
        }

        // A slot that is never compared (NaN threshold) but sends missing values left, as the per-tree readers treat it.
        AddTree(1, s => s < 3 ? (5 + s, s == 1 ? float.NaN : 2.25f) : null);
        missingLeft[^1] |= 1u << 1;
        memberEnd.Add(missingLeft.Count);
        for (var t = 0; t < 13; t++)
        {
            AddTree(2, s => s < 1 + random.Next(Slots) ? (random.Next(3), pools[2][random.Next(pools[2].Length)]) : null);
        }

        memberEnd.Add(missingLeft.Count);
        AddTree(3, s => s < 2 ? (s, 3f) : null);
        memberEnd.Add(missingLeft.Count);

        var ranked = RankWords.TryBuild([.. splitFeatures], [.. thresholds], [.. missingLeft], [.. memberEnd]);
        if (!RankWords.IsSupported)
        {
            Assert.Null(ranked);
            return;
        }

        Assert.NotNull(ranked);
        Assert.Equal(missingLeft.Count, ranked.TreeCount);
        var all = thresholds.Where(t => !float.IsNaN(t)).ToArray();
        var row = new float[4 * Width];
        var features = splitFeatures.ToArray();
        var limits = thresholds.ToArray();
        fixed (float* x = row)
        {
            for (var r = 0; r < 3_000; r++)
            {
                for (var f = 0; f < row.Length; f++)
                {
                    var t = all[random.Next(all.Length)];
                    row[f] = random.Next(8) switch
                    {
                        0 => float.NaN,
                        1 => t,
                        2 => MathF.BitIncrement(t),
                        3 => MathF.BitDecrement(t),
                        4 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                        5 => random.Next(2) == 0 ? 0f : -0f,
                        _ => (float)((random.NextDouble() * 200) - 100),
                    };
                }

                var words = ranked.Words(row);
                for (var t = 0; t < ranked.TreeCount; t++)
                {
                    var expected = SplitWords.ScalarWords.Word(x, ref features[0], ref limits[0], t, missingLeft[t]);
                    Assert.True(expected == words[t], $"row {r}, tree {t}: per-tree word {expected:b8}, rank word {words[t]:b8}");
                }
            }
        }
    }

    [Fact]
    public void NotBuiltForAMemberPastTheRankTablesLimits()
    {
        // 129 features in one member, or 255 distinct thresholds on one feature: the words stay per tree.
        var features129 = Enumerable.Range(0, 129 * Slots / Slots).SelectMany(f => Enumerable.Repeat(f, 1).Concat(Enumerable.Repeat(0, Slots - 1))).ToArray();
        var thresholds129 = Enumerable.Range(0, 129).SelectMany(_ => new[] { 1f }.Concat(Enumerable.Repeat(float.NaN, Slots - 1))).ToArray();
        var features255 = new int[255 * Slots];
        var thresholds255 = Enumerable.Range(0, 255).SelectMany(i => new[] { (float)i }.Concat(Enumerable.Repeat(float.NaN, Slots - 1))).ToArray();
        var fits = RankWords.TryBuild(features255.AsSpan(0, 254 * Slots), thresholds255.AsSpan(0, 254 * Slots), new uint[254], [254]);

        Assert.Null(RankWords.TryBuild(features129, thresholds129, new uint[129], [129]));
        Assert.Null(RankWords.TryBuild(features255, thresholds255, new uint[255], [255]));
        Assert.Equal(RankWords.IsSupported, fits is not null);
    }
}
