namespace Fraud.Learning.Tests;

public sealed class EnsembleShapTests
{
    [Theory]
    [InlineData("Fastest")]
    [InlineData("PerTreeGather")]
    [InlineData("PerTreeScalar")]
    public void OnePassGivesTheMembersMeanTreeShapAndTheirMeanRawScore(string words)
    {
        // Three members of the product's shape (7 leaves, depth 4), trained on different seeds, with missing values
        // going both ways; the reference is the recursive algorithm member by member, averaged.
        var (x, y) = SyntheticProblem.Make(4_000, 20, seed: 41, missingRate: 0.15);
        GbdtModel[] members = [.. new[] { 6, 7, 8 }.Select(seed => GbdtTrainer.Train(x, y, new GbdtOptions
        {
            NumRounds = 40, NumLeaves = 7, MaxDepth = 4, MinDataInLeaf = 5, LearningRate = 0.1, FeatureFraction = 0.7, BaggingFraction = 0.8, Seed = seed, Threads = 1,
        }))];
        var shap = EnsembleShap.TryBuild(members);
        Assert.NotNull(shap);
        Assert.Equal(RankWords.IsSupported, shap.HasRankWords);

        var width = x.Columns;
        var rows = new float[members.Length * width];
        var contributions = new double[width];
        var reference = new double[width];
        var scratch = new double[width];
        var previous = EnsembleShap.Words;
        EnsembleShap.Words = Enum.Parse<SplitWords.WordSource>(words);
        try
        {
            for (var r = 0; r < 300; r++)
            {
                // Each member reads its own row (here a different test row per member, as featurizers differ).
                for (var m = 0; m < members.Length; m++)
                {
                    x.Row((r + (m * 97)) % x.Rows).CopyTo(rows.AsSpan(m * width, width));
                }

                Array.Clear(reference);
                var raw = 0.0;
                var baseValue = 0.0;
                for (var m = 0; m < members.Length; m++)
                {
                    var row = rows.AsSpan(m * width, width);
                    baseValue += TreeShap.Explain(members[m], row, scratch, useTables: false);
                    raw += members[m].PredictRaw(row);
                    for (var f = 0; f < width; f++)
                    {
                        reference[f] += scratch[f];
                    }
                }

                var onePass = shap.Explain(rows, contributions);

                Assert.Equal(raw / members.Length, onePass);
                Assert.Equal(baseValue / members.Length, shap.BaseValue, 1e-12);
                // Amounts are stored as floats (each within 6e-8 of TreeSHAP's value, relative; a tree's last feature
                // takes the rest of its share), so a feature's sum over 120 trees is within 1e-7 of the reference (measured: within 2e-8)
                for (var f = 0; f < width; f++)
                {
                    Assert.Equal(reference[f] / members.Length, contributions[f], 1e-7);
                }

                // ...while base value plus contributions is still the raw score to double rounding.
                Assert.Equal(onePass, shap.BaseValue + contributions.Sum(), 1e-12);
            }
        }
        finally
        {
            EnsembleShap.Words = previous;
        }
    }

    [Fact]
    public void TreesWithMoreSplitsThanAWordHoldsAreLeftToTheMemberByMemberPath()
    {
        var (x, y) = SyntheticProblem.Make(2_000, 12, seed: 42);
        var deep = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 10, NumLeaves = 15, MinDataInLeaf = 5, Seed = 1, Threads = 1 });

        Assert.Null(EnsembleShap.TryBuild([deep]));
    }

    [Fact]
    public void RejectsRowsAndBuffersOfTheWrongLength()
    {
        var (x, y) = SyntheticProblem.Make(500, 12, seed: 43);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 2, NumLeaves = 4, Threads = 1 });
        var shap = EnsembleShap.TryBuild([model, model])!;

        Assert.Throws<ArgumentException>(() => shap.Explain(new float[12], new double[12]));
        Assert.Throws<ArgumentException>(() => shap.Explain(new float[24], new double[11]));
    }
}
