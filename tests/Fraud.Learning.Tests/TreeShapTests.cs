namespace Fraud.Learning.Tests;

public sealed class TreeShapTests
{
    [Fact]
    public void ExpectedValuePlusContributionsEqualsTheRawScore()
    {
        var (x, y) = SyntheticProblem.Make(4_000, 20, seed: 31, missingRate: 0.15);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions
        {
            NumRounds = 60,
            NumLeaves = 31,
            MinDataInLeaf = 5,
            LearningRate = 0.1,
            BaggingFraction = 0.8,
            FeatureFraction = 0.7,
            Seed = 2,
            Threads = 1,
        });
        var (testX, _) = SyntheticProblem.Make(500, 20, seed: 32, missingRate: 0.15);
        var phi = new double[20];

        for (var r = 0; r < testX.Rows; r++)
        {
            var expected = TreeShap.Explain(model, testX.Row(r), phi);
            Assert.Equal(model.ExpectedValue, expected);
            Assert.Equal(model.PredictRaw(testX.Row(r)), expected + phi.Sum(), 1e-6);
        }
    }

    [Fact]
    public void MatchesBruteForceShapleyValuesOnASmallEnsemble()
    {
        // Four features, a few deep trees that reuse features along a path (the case UNWIND exists for).
        var random = new Random(33);
        var x = new FeatureMatrix(600, 4);
        var y = new float[600];
        for (var i = 0; i < 600; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                x[i, j] = random.NextDouble() < 0.1 ? float.NaN : (float)random.NextDouble();
            }

            var signal = (x[i, 0] > 0.5 ? 1 : 0) + (x[i, 1] > 0.3 && x[i, 2] < 0.6 ? 1 : 0) + (float.IsNaN(x[i, 3]) ? 1 : 0);
            y[i] = random.NextDouble() < signal / 3.0 ? 1 : 0;
        }

        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 4, NumLeaves = 12, MinDataInLeaf = 5, LearningRate = 0.5, Seed = 3, Threads = 1 });
        Assert.True(model.MaxDepth >= 4);
        var dto = model.ToDto();
        var phi = new double[4];

        var recursive = new double[4];
        Assert.All(model.ShapTables.Tabled, Assert.True);
        for (var r = 0; r < 30; r++)
        {
            var row = x.Row(r).ToArray();
            TreeShap.Explain(model, row, phi);
            TreeShap.Explain(model, row, recursive, useTables: false);
            var exact = BruteForceShapley(dto, row);
            for (var j = 0; j < 4; j++)
            {
                Assert.Equal(exact[j], phi[j], 1e-9);
                Assert.Equal(exact[j], recursive[j], 1e-9);
            }
        }
    }

    [Fact]
    public void TablesAndTheRecursiveAlgorithmAgreeOnDeepAndShallowTrees()
    {
        // Depth-unbounded 31-leaf trees: some paths carry more than six distinct features and go through the
        // recursive algorithm, the others through the tables; every contribution must match the recursive one.
        var (x, y) = SyntheticProblem.Make(4_000, 20, seed: 36, missingRate: 0.15);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 30, NumLeaves = 31, MinDataInLeaf = 5, LearningRate = 0.1, FeatureFraction = 0.7, Seed = 4, Threads = 1 });
        var tabled = model.ShapTables.Tabled.Count(t => t);
        Assert.InRange(tabled, 1, model.TreeCount - 1);
        var fast = new double[20];
        var reference = new double[20];
        for (var r = 0; r < 300; r++)
        {
            var baseValue = TreeShap.Explain(model, x.Row(r), fast);
            TreeShap.Explain(model, x.Row(r), reference, useTables: false);
            for (var j = 0; j < 20; j++)
            {
                Assert.Equal(reference[j], fast[j], 1e-10);
            }

            Assert.Equal(model.PredictRaw(x.Row(r)), baseValue + fast.Sum(), 1e-9);
        }
    }

    [Fact]
    public void SplitWordTablesOfTheProductsShallowTreesMatchTheRecursiveAlgorithm()
    {
        // The product's trees (7 leaves, depth 4: 6 splits) go through one summed table per split word; some trees
        // with 12 leaves (11 splits) do not. Both must give the recursive algorithm's values and add up to the raw score.
        var (x, y) = SyntheticProblem.Make(4_000, 20, seed: 37, missingRate: 0.15);
        foreach (var leaves in new[] { 7, 12 })
        {
            var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 40, NumLeaves = leaves, MaxDepth = 4, MinDataInLeaf = 5, LearningRate = 0.1, FeatureFraction = 0.7, Seed = 5, Threads = 1 });
            var patterned = model.ShapTables.PatternTreeCount;
            if (leaves == 7)
            {
                Assert.Equal(model.TreeCount, patterned);
            }
            else
            {
                Assert.InRange(patterned, 0, model.TreeCount - 1);
            }

            var fast = new double[20];
            var reference = new double[20];
            for (var r = 0; r < 300; r++)
            {
                var baseValue = TreeShap.Explain(model, x.Row(r), fast);
                TreeShap.Explain(model, x.Row(r), reference, useTables: false);
                for (var j = 0; j < 20; j++)
                {
                    Assert.Equal(reference[j], fast[j], 1e-10);
                }

                Assert.Equal(model.PredictRaw(x.Row(r)), baseValue + fast.Sum(), 1e-9);
            }
        }
    }

    [Fact]
    public void ContributionsOfUnusedFeaturesAreZero()
    {
        var (x, y) = SyntheticProblem.Make(2_000, 12, seed: 34);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 10, NumLeaves = 4, Seed = 1, Threads = 1 });
        var used = model.SplitCountImportance();
        var phi = new double[12];
        TreeShap.Explain(model, x.Row(0), phi);
        for (var j = 0; j < 12; j++)
        {
            if (used[j] == 0)
            {
                Assert.Equal(0, phi[j]);
            }
        }
    }

    [Fact]
    public void RejectsBuffersOfTheWrongLength()
    {
        var (x, y) = SyntheticProblem.Make(500, 12, seed: 35);
        var model = GbdtTrainer.Train(x, y, new GbdtOptions { NumRounds = 2, Threads = 1 });
        Assert.Throws<ArgumentException>(() => TreeShap.Explain(model, x.Row(0), new double[11]));
        Assert.Throws<ArgumentException>(() => TreeShap.Explain(model, new float[13], new double[12]));
    }

    /// <summary>
    /// Shapley values by enumerating every coalition, with TreeSHAP's value function: a feature outside the coalition
    /// is integrated out by following both children weighted by their training covers.
    /// </summary>
    private static double[] BruteForceShapley(GbdtModelDto dto, float[] row)
    {
        var m = row.Length;
        var phi = new double[m];
        for (var i = 0; i < m; i++)
        {
            for (var mask = 0; mask < 1 << m; mask++)
            {
                if ((mask & (1 << i)) != 0)
                {
                    continue;
                }

                var size = System.Numerics.BitOperations.PopCount((uint)mask);
                var weight = Factorial(size) * Factorial(m - size - 1) / Factorial(m);
                phi[i] += weight * (Value(dto, row, mask | (1 << i)) - Value(dto, row, mask));
            }
        }

        return phi;
    }

    private static double Value(GbdtModelDto dto, float[] row, int coalition)
    {
        var total = dto.BaseScore;
        foreach (var tree in dto.Trees)
        {
            total += Expectation(tree, 0, row, coalition);
        }

        return total;
    }

    private static double Expectation(GbdtTreeDto tree, int node, float[] row, int coalition)
    {
        var feature = tree.Feature[node];
        if (feature < 0)
        {
            return tree.Value[node];
        }

        var left = tree.Left[node];
        var right = tree.Right[node];
        if ((coalition & (1 << feature)) != 0)
        {
            var v = row[feature];
            var goLeft = float.IsNaN(v) ? tree.DefaultLeft[node] : v <= tree.Threshold[node];
            return Expectation(tree, goLeft ? left : right, row, coalition);
        }

        return ((tree.Cover[left] * Expectation(tree, left, row, coalition)) + (tree.Cover[right] * Expectation(tree, right, row, coalition))) / tree.Cover[node];
    }

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
}
