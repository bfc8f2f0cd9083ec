using System.Text.Json;

namespace Fraud.Learning.Tests;

public sealed class GbdtModelTests
{
    private static GbdtModel TrainSmall(out FeatureMatrix x)
    {
        (x, var y) = SyntheticProblem.Make(2_000, 12, seed: 21, missingRate: 0.2);
        return GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 20, NumLeaves = 8, MinDataInLeaf = 10, LearningRate = 0.2, Seed = 1, Threads = 1 });
    }

    [Fact]
    public void JsonRoundTripGivesIdenticalPredictions()
    {
        var model = TrainSmall(out var x);
        var json = JsonSerializer.Serialize(model.ToDto());
        var restored = GbdtModel.FromDto(JsonSerializer.Deserialize<GbdtModelDto>(json)!);

        Assert.Equal(model.TreeCount, restored.TreeCount);
        Assert.Equal(model.BaseScore, restored.BaseScore);
        for (var r = 0; r < x.Rows; r++)
        {
            Assert.Equal(model.PredictRaw(x.Row(r)), restored.PredictRaw(x.Row(r)));
        }
    }

    [Fact]
    public void BatchPredictionEqualsRowByRowPrediction()
    {
        var model = TrainSmall(out var x);
        var batch = new double[x.Rows];
        var parallel = new double[x.Rows];
        model.PredictRaw(x, batch);
        model.PredictRaw(x, parallel, threads: 2);
        for (var r = 0; r < x.Rows; r++)
        {
            Assert.Equal(model.PredictRaw(x.Row(r)), batch[r]);
            Assert.Equal(batch[r], parallel[r]);
        }

        // A row walks four trees at a time, then the rest one by one: every tree count gives the batch's scores.
        foreach (var trees in new[] { 0, 1, 3, 5, 7 })
        {
            var truncated = model.Truncate(trees);
            truncated.PredictRaw(x, batch);
            for (var r = 0; r < x.Rows; r++)
            {
                Assert.Equal(batch[r], truncated.PredictRaw(x.Row(r)));
            }
        }
    }

    [Fact]
    public void TruncateKeepsTheFirstTrees()
    {
        var model = TrainSmall(out var x);
        var first = model.Truncate(5);
        var expected = model.BaseScore;
        var dto = model.ToDto();
        var row = x.Row(0);
        for (var t = 0; t < 5; t++)
        {
            var n = 0;
            var tree = dto.Trees[t];
            while (tree.Feature[n] >= 0)
            {
                var v = row[tree.Feature[n]];
                n = float.IsNaN(v) ? (tree.DefaultLeft[n] ? tree.Left[n] : tree.Right[n]) : v <= tree.Threshold[n] ? tree.Left[n] : tree.Right[n];
            }

            expected += tree.Value[n];
        }

        Assert.Equal(5, first.TreeCount);
        Assert.Equal(expected, first.PredictRaw(row), 12);
    }

    [Fact]
    public void InfiniteFeatureValuesStillGiveALoadableModel()
    {
        var x = new FeatureMatrix(400, 1);
        var y = new float[400];
        for (var i = 0; i < 400; i++)
        {
            x[i, 0] = (i % 4) switch { 0 => float.NegativeInfinity, 1 => -1, 2 => 1, _ => float.PositiveInfinity };
            y[i] = i % 4 == 0 ? 1 : 0;
        }

        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 5, MinDataInLeaf = 10, Threads = 1 });
        var restored = GbdtModel.FromDto(JsonSerializer.Deserialize<GbdtModelDto>(JsonSerializer.Serialize(model.ToDto()))!);

        Assert.Equal(model.PredictRaw([float.NegativeInfinity]), restored.PredictRaw([float.NegativeInfinity]));
        Assert.True(restored.PredictRaw([float.NegativeInfinity]) > restored.PredictRaw([-1]));
    }

    [Fact]
    public void RejectsRowsOfTheWrongLength()
    {
        var model = TrainSmall(out _);
        var error = Assert.Throws<ArgumentException>(() => model.PredictRaw(new float[11]));
        Assert.Contains("expects 12 features", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<GbdtTreeDto>> Corruptions => new()
    {
        { "entries, expected", t => t.Threshold = t.Threshold[1..] },
        { "children", t => t.Left[0] = 0 },
        { "children", t => t.Right[0] = t.Feature.Length },
        { "feature 99", t => t.Feature[0] = 99 },
        { "value is not a finite", t => t.Value[^1] = double.NaN },
        { "cover", t => t.Cover[0] += 5 },
        { "threshold", t => t.Threshold[0] = double.PositiveInfinity },
        { "a leaf", t => t.Left[Array.IndexOf(t.Feature, -1)] = 1 },
        { "no nodes", t => t.Feature = [] },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void FromDtoRejectsCorruptTrees(string expected, Action<GbdtTreeDto> corrupt)
    {
        var dto = TrainSmall(out _).ToDto();
        corrupt(dto.Trees[3]);
        var error = Assert.Throws<InvalidDataException>(() => GbdtModel.FromDto(dto));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Tree 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDtoRejectsACorruptEnsemble()
    {
        var dto = TrainSmall(out _).ToDto();
        dto.BaseScore = double.NaN;
        Assert.Throws<InvalidDataException>(() => GbdtModel.FromDto(dto));

        dto = TrainSmall(out _).ToDto();
        dto.FeatureCount = 0;
        Assert.Throws<InvalidDataException>(() => GbdtModel.FromDto(dto));

        dto = TrainSmall(out _).ToDto();
        dto.Trees[2] = null!;
        Assert.Throws<InvalidDataException>(() => GbdtModel.FromDto(dto));

        // A node with two parents (a shared subtree) is not a tree.
        dto = TrainSmall(out _).ToDto();
        var tree = dto.Trees[0];
        var (node, sharedChild) = NodeAndSomeoneElsesLaterChild(tree);
        tree.Left[node] = sharedChild;
        Assert.Throws<InvalidDataException>(() => GbdtModel.FromDto(dto));
    }

    private static (int Node, int Child) NodeAndSomeoneElsesLaterChild(GbdtTreeDto tree)
    {
        for (var node = 1; node < tree.Feature.Length; node++)
        {
            if (tree.Feature[node] < 0)
            {
                continue;
            }

            for (var parent = 0; parent < tree.Feature.Length; parent++)
            {
                if (parent != node && tree.Feature[parent] >= 0 && tree.Right[parent] > node && tree.Right[parent] != tree.Right[node])
                {
                    return (node, tree.Right[parent]);
                }
            }
        }

        throw new InvalidOperationException("The tree is too small for this test.");
    }
}
