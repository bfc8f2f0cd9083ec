namespace Fraud.Learning.Tests;

public sealed class SplitWordEnsembleTests
{
    [Theory]
    [InlineData("Fastest")]
    [InlineData("PerTreeGather")]
    [InlineData("PerTreeScalar")]
    public void FlatLayoutGivesTheMeanOfTheMembersTreeWalksBitForBit(string words)
    {
        // Three members of the product's shape (7 leaves, depth 4) and one of shallower trees, on different seeds,
        // with missing values going both ways (15 % of the values); each member reads its own row. The reference is
        // each member's own tree walk, averaged in member order as FraudModel averaged them.
        var (x, y) = SyntheticProblem.Make(4_000, 20, seed: 51, missingRate: 0.15);
        GbdtModel[] members =
        [
            .. new[] { 6, 7, 8 }.Select(seed => GbdtTrainer.Train(x, y, new GbdtOptions
            {
                NumRounds = 60, NumLeaves = 7, MaxDepth = 4, MinDataInLeaf = 5, LearningRate = 0.1, FeatureFraction = 0.7, BaggingFraction = 0.8, Seed = seed, Threads = 1,
            })),
            GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 23, NumLeaves = 3, MinDataInLeaf = 5, Seed = 9, Threads = 1 }),
        ];
        var flat = SplitWordEnsemble.TryBuild(members);
        Assert.NotNull(flat);
        Assert.Equal(members.Sum(m => m.TreeCount), flat.TreeCount);
        // On a machine with AVX-512 VBMI (this one and CI's) the fastest words are the rank words: they are what is tested.
        Assert.Equal(RankWords.IsSupported, flat.HasRankWords);

        var width = x.Columns;
        var rows = new float[members.Length * width];
        var previous = SplitWordEnsemble.Words;
        SplitWordEnsemble.Words = Enum.Parse<SplitWords.WordSource>(words);
        try
        {
            var distinct = new HashSet<double>();
            for (var r = 0; r < 1_000; r++)
            {
                for (var m = 0; m < members.Length; m++)
                {
                    x.Row((r + (m * 97)) % x.Rows).CopyTo(rows.AsSpan(m * width, width));
                }

                var sum = 0.0;
                for (var m = 0; m < members.Length; m++)
                {
                    sum += members[m].PredictRaw(rows.AsSpan(m * width, width));
                }

                var flatRaw = flat.PredictRaw(rows);
                Assert.Equal(sum / members.Length, flatRaw);
                distinct.Add(flatRaw);
            }

            Assert.True(distinct.Count > 900, $"{distinct.Count} distinct scores");
        }
        finally
        {
            SplitWordEnsemble.Words = previous;
        }
    }

    [Theory]
    [InlineData("Fastest")]
    [InlineData("PerTreeGather")]
    [InlineData("PerTreeScalar")]
    public void MissingValuesAndThresholdTiesGoWhereTheTreeWalkSendsThem(string words)
    {
        // Rows made of the trees' own thresholds (x == threshold goes left), the values just above them, NaN and
        // infinities: the cases where a split word could disagree with the walk.
        var (x, y) = SyntheticProblem.Make(3_000, 12, seed: 52, missingRate: 0.3);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 40, NumLeaves = 7, MaxDepth = 4, MinDataInLeaf = 5, Seed = 3, Threads = 1 });
        var flat = SplitWordEnsemble.TryBuild([model])!;
        Assert.Equal(RankWords.IsSupported, flat.HasRankWords);
        var thresholds = model.Nodes.ToArray().Where(n => n.Feature >= 0).Select(n => n.Threshold).Distinct().ToArray();
        var random = new Random(5);
        var row = new float[12];
        var previous = SplitWordEnsemble.Words;
        SplitWordEnsemble.Words = Enum.Parse<SplitWords.WordSource>(words);
        try
        {
            for (var r = 0; r < 2_000; r++)
            {
                for (var f = 0; f < row.Length; f++)
                {
                    var t = thresholds[random.Next(thresholds.Length)];
                    row[f] = random.Next(6) switch
                    {
                        0 => float.NaN,
                        1 => t,
                        2 => random.Next(2) == 0 ? MathF.BitIncrement(t) : MathF.BitDecrement(t),
                        3 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                        _ => x.Row(random.Next(x.Rows))[f],
                    };
                }

                Assert.Equal(model.PredictRaw(row), flat.PredictRaw(row));
            }
        }
        finally
        {
            SplitWordEnsemble.Words = previous;
        }
    }

    [Fact]
    public void TreesWithMoreSplitsThanAWordHoldsAreLeftToTheTreeWalk()
    {
        var (x, y) = SyntheticProblem.Make(2_000, 12, seed: 42);
        var deep = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 10, NumLeaves = 15, MinDataInLeaf = 5, Seed = 1, Threads = 1 });

        Assert.Null(SplitWordEnsemble.TryBuild([deep]));
    }

    [Fact]
    public void RejectsRowsOfTheWrongLength()
    {
        var (x, y) = SyntheticProblem.Make(500, 12, seed: 43);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 2, NumLeaves = 4, Threads = 1 });
        var flat = SplitWordEnsemble.TryBuild([model, model])!;

        Assert.Throws<ArgumentException>(() => flat.PredictRaw(new float[12]));
        Assert.Throws<ArgumentException>(() => flat.PredictRaw(new float[25]));
    }
}
