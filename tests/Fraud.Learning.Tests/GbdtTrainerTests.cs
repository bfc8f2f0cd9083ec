using System.Text.Json;

namespace Fraud.Learning.Tests;

public sealed class GbdtTrainerTests
{
    private static readonly GbdtOptions Small = new()
    {
        NumRounds = 60,
        LearningRate = 0.1,
        NumLeaves = 15,
        MinDataInLeaf = 10,
        EarlyStoppingRounds = 0,
        Seed = 11,
        Threads = 1,
    };

    private static double[] Scores(GbdtModel model, FeatureMatrix x)
    {
        var scores = new double[x.Rows];
        model.PredictRaw(x, scores);
        return scores;
    }

    [Fact]
    public void BeatsLogisticRegressionOnANonLinearProblem()
    {
        var (x, y) = SyntheticProblem.Make(6_000, 16, seed: 1);
        var (testX, testY) = SyntheticProblem.Make(6_000, 16, seed: 2);

        var trees = GbdtTrainer.Train(x, y, Small with { NumRounds = 150, LearningRate = 0.05 });
        var linear = LogisticRegression.Train(x, y, new LogisticOptions { Threads = 1 });
        var linearScores = new double[testX.Rows];
        linear.PredictRaw(testX, linearScores);

        var treeAp = Metrics.AveragePrecision(Scores(trees, testX), testY);
        var linearAp = Metrics.AveragePrecision(linearScores, testY);
        Assert.True(treeAp > linearAp * 1.3, $"GBDT PR-AUC {treeAp:F3} vs logistic {linearAp:F3}");
    }

    [Fact]
    public void SameSeedGivesIdenticalModelsWhateverTheThreadCount()
    {
        var (x, y) = SyntheticProblem.Make(3_000, 24, seed: 3);
        var options = Small with { BaggingFraction = 0.7, FeatureFraction = 0.6, NumRounds = 25 };

        var first = JsonSerializer.Serialize(GbdtTrainer.Train(x, y, options with { Threads = 2 }).ToDto());
        var second = JsonSerializer.Serialize(GbdtTrainer.Train(x, y, options with { Threads = 2 }).ToDto());
        var oneThread = JsonSerializer.Serialize(GbdtTrainer.Train(x, y, options with { Threads = 1 }).ToDto());
        var otherSeed = JsonSerializer.Serialize(GbdtTrainer.Train(x, y, options with { Threads = 2, Seed = 12 }).ToDto());

        Assert.Equal(first, second);
        Assert.Equal(first, oneThread);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void EarlyStoppingKeepsTheRoundWithTheBestValidationPrAuc()
    {
        var (x, y) = SyntheticProblem.Make(3_000, 16, seed: 4);
        var (validX, validY) = SyntheticProblem.Make(2_000, 16, seed: 5);
        var rounds = new List<BoostingRound>();

        // A high learning rate and deep trees overfit quickly, so validation PR-AUC peaks early.
        var model = GbdtTrainer.Train(
            x, y, Small with { NumRounds = 400, LearningRate = 0.5, NumLeaves = 63, MinDataInLeaf = 2, EarlyStoppingRounds = 20 },
            validX, validY, rounds.Add);

        Assert.True(rounds.Count < 400, "training should stop before the last round");
        var best = rounds.MaxBy(r => r.ValidPrAuc!.Value)!;
        var bestLoss = rounds.MinBy(r => r.ValidLogLoss!.Value)!;
        Assert.Equal(best.Round, model.TreeCount);
        // Stops once neither PR-AUC nor log-loss has improved for the patience.
        Assert.Equal(rounds.Count, Math.Max(best.Round, bestLoss.Round) + 20);
        Assert.Equal(best.ValidPrAuc!.Value, Metrics.AveragePrecision(Scores(model, validX), validY), 9);
        Assert.All(rounds, r => Assert.NotNull(r.ValidLogLoss));
    }

    [Fact]
    public void SmoothedEarlyStoppingKeepsTheRoundWithTheBestAveragedPrAuc()
    {
        var (x, y) = SyntheticProblem.Make(3_000, 16, seed: 4);
        var (validX, validY) = SyntheticProblem.Make(600, 16, seed: 5);
        var rounds = new List<BoostingRound>();

        var model = GbdtTrainer.Train(
            x, y, Small with { NumRounds = 300, LearningRate = 0.3, NumLeaves = 31, MinDataInLeaf = 2, EarlyStoppingRounds = 30, EarlyStoppingSmoothing = 5 },
            validX, validY, rounds.Add);

        // Recompute the centred 11-round average of what training reported; the kept model is its first maximum.
        var ap = rounds.Select(r => r.ValidPrAuc!.Value).ToArray();
        double Smoothed(int i) => ap[Math.Max(0, i - 5)..Math.Min(ap.Length, i + 6)].Average();
        var expected = Enumerable.Range(0, ap.Length).MaxBy(Smoothed) + 1;
        Assert.Equal(expected, model.TreeCount);
    }

    [Fact]
    public void EarlyStoppingNeverStopsBeforeMinRounds()
    {
        var (x, y) = SyntheticProblem.Make(3_000, 16, seed: 4);
        var (validX, validY) = SyntheticProblem.Make(2_000, 16, seed: 5);
        var rounds = new List<BoostingRound>();

        var model = GbdtTrainer.Train(
            x, y, Small with { NumRounds = 400, LearningRate = 0.5, NumLeaves = 63, MinDataInLeaf = 2, EarlyStoppingRounds = 5, MinRounds = 120 },
            validX, validY, rounds.Add);

        Assert.InRange(rounds.Count, 120, 399);
        Assert.True(model.TreeCount < 120, "the kept round is still the best one, not the minimum");
    }

    [Fact]
    public void SeparatesARareClassLivingInTheTopHalfPercentOfOneFeature()
    {
        // 255 equal-frequency bins would put ~80 rows in the top bin, mixing the 50 positives with negatives.
        const int Rows = 20_000;
        var values = new float[Rows];
        var labels = new float[Rows];
        var random = new Random(3);
        for (var i = 0; i < Rows; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        var cut = values.Order().ElementAt(Rows - 50);
        for (var i = 0; i < Rows; i++)
        {
            labels[i] = values[i] >= cut ? 1f : 0f;
        }

        var x = new FeatureMatrix(Rows, 1, values);
        var model = GbdtTrainer.Train(x, labels, Small with { NumRounds = 30, MinDataInLeaf = 5, NumLeaves = 4 });

        Assert.True(Metrics.AveragePrecision(Scores(model, x), labels) > 0.95);
    }

    [Fact]
    public void TrainingLossFallsRoundAfterRound()
    {
        var (x, y) = SyntheticProblem.Make(2_000, 12, seed: 6);
        var rounds = new List<BoostingRound>();
        GbdtTrainer.Train(x, y, Small with { NumRounds = 30 }, onRound: rounds.Add);

        Assert.Equal(30, rounds.Count);
        Assert.True(rounds[^1].TrainLogLoss < rounds[0].TrainLogLoss * 0.9);
        Assert.All(rounds, r => Assert.Null(r.ValidPrAuc));
    }

    [Fact]
    public void LearnsWhereMissingValuesGo()
    {
        // The label is 1 exactly when feature 0 is missing; feature 1 is noise.
        var random = new Random(7);
        var x = new FeatureMatrix(2_000, 2);
        var y = new float[2_000];
        for (var i = 0; i < 2_000; i++)
        {
            var missing = random.NextDouble() < 0.2;
            x[i, 0] = missing ? float.NaN : (float)random.NextDouble();
            x[i, 1] = (float)random.NextDouble();
            y[i] = missing ? 1 : 0;
        }

        var model = GbdtTrainer.Train(x, y, Small with { NumRounds = 30 });

        Assert.True(model.PredictProbability([float.NaN, 0.5f]) > 0.9);
        Assert.True(model.PredictProbability([0.5f, 0.5f]) < 0.1);
        Assert.True(model.PredictProbability([0.99f, float.NaN]) < 0.1, "a feature never missing in training sends NaN the majority way");
    }

    [Fact]
    public void SplitsAFeatureThatIsEitherOneValueOrMissing()
    {
        // Feature 0 is 1 when present; whether it is present is the whole signal.
        var x = new FeatureMatrix(1_000, 1);
        var y = new float[1_000];
        for (var i = 0; i < 1_000; i++)
        {
            var present = i % 4 != 0;
            x[i, 0] = present ? 1 : float.NaN;
            y[i] = present ? 0 : 1;
        }

        var model = GbdtTrainer.Train(x, y, Small with { NumRounds = 20 });

        Assert.True(model.PredictProbability([float.NaN]) > 0.9);
        Assert.True(model.PredictProbability([1]) < 0.1);
    }

    [Fact]
    public void PositiveWeightRaisesPredictedRisk()
    {
        var (x, y) = SyntheticProblem.Make(3_000, 12, seed: 8);
        var plain = GbdtTrainer.Train(x, y, Small with { NumRounds = 20 });
        var weighted = GbdtTrainer.Train(x, y, Small with { NumRounds = 20, PositiveWeight = 5 });

        var plainMean = Scores(plain, x).Average();
        var weightedMean = Scores(weighted, x).Average();
        // Weighting positives 5x shifts the log-odds by about log(5) = 1.6.
        Assert.InRange(weightedMean - plainMean, 1.0, 2.2);
        var positives = y.Count(v => v == 1);
        Assert.Equal(Math.Log(5.0 * positives / (y.Length - positives)), weighted.BaseScore, 9);
    }

    [Fact]
    public void RespectsMaxDepthAndNumLeaves()
    {
        var (x, y) = SyntheticProblem.Make(3_000, 12, seed: 9);
        var shallow = GbdtTrainer.Train(x, y, Small with { NumRounds = 5, MaxDepth = 2, NumLeaves = 31 });
        Assert.Equal(2, shallow.MaxDepth);

        var narrow = GbdtTrainer.Train(x, y, Small with { NumRounds = 5, NumLeaves = 4 });
        Assert.All(narrow.ToDto().Trees, t => Assert.True(t.Feature.Count(f => f < 0) <= 4));
    }

    [Fact]
    public void LeavesHoldAtLeastMinDataInLeafRows()
    {
        var (x, y) = SyntheticProblem.Make(2_000, 12, seed: 10);
        var model = GbdtTrainer.Train(x, y, Small with { NumRounds = 10, MinDataInLeaf = 150 });
        foreach (var tree in model.ToDto().Trees)
        {
            for (var n = 0; n < tree.Feature.Length; n++)
            {
                if (tree.Feature[n] < 0)
                {
                    Assert.True(tree.Cover[n] >= 150);
                }
            }
        }
    }

    [Fact]
    public void ThresholdsFallBetweenObservedValues()
    {
        // Three distinct values get three bins, so every split sits halfway between two of them.
        var x = new FeatureMatrix(900, 1);
        var y = new float[900];
        for (var i = 0; i < 900; i++)
        {
            x[i, 0] = (i % 3) + 1;
            y[i] = i % 3 == 1 && i % 2 == 0 ? 1 : 0;
        }

        var model = GbdtTrainer.Train(x, y, Small with { NumRounds = 10 });
        var thresholds = model.ToDto().Trees.SelectMany(t => t.Threshold.Where((_, n) => t.Feature[n] >= 0)).Distinct().Order().ToArray();
        Assert.Equal([1.5, 2.5], thresholds);
        Assert.True(model.PredictProbability([2]) > model.PredictProbability([1]));
        Assert.True(model.PredictProbability([2]) > model.PredictProbability([3]));
    }

    [Fact]
    public void SoftTargetsAreLearntAsProbabilities()
    {
        // Two groups with target probabilities 0.2 and 0.7 given as soft targets (no 0/1 label anywhere): the
        // cross-entropy's minimiser is the target itself, so the model predicts those probabilities.
        var x = new FeatureMatrix(2000, 1);
        var y = new float[2000];
        for (var i = 0; i < 2000; i++)
        {
            x[i, 0] = i % 2;
            y[i] = i % 2 == 0 ? 0.2f : 0.7f;
        }

        var model = GbdtTrainer.Train(x, y, Small with { NumRounds = 200, L2 = 0 });
        Assert.Equal(0.2, model.PredictProbability([0]), 2);
        Assert.Equal(0.7, model.PredictProbability([1]), 2);
    }

    [Fact]
    public void RejectsInvalidInputWithClearMessages()
    {
        var x = new FeatureMatrix(3, 2);
        var labels = Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(x, [0, 2, 1], Small));
        Assert.Contains("training targets must be probabilities between 0 and 1", labels.Message, StringComparison.Ordinal);
        var validLabels = Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(x, [0, 1, 0], Small, new FeatureMatrix(2, 2), [1, 0.5f]));
        Assert.Contains("labels must be 0 or 1", validLabels.Message, StringComparison.Ordinal);

        var count = Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(x, [0, 1], Small));
        Assert.Contains("Expected 3 labels", count.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => GbdtTrainer.Train(x, [0, 1, 0], Small with { LearningRate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GbdtTrainer.Train(x, [0, 1, 0], Small with { MaxBins = 256 }));
        Assert.Throws<ArgumentException>(() => GbdtTrainer.Train(x, [0, 1, 0], Small, new FeatureMatrix(2, 3), [0, 1]));

        var noPositives = Assert.Throws<ArgumentException>(() =>
            GbdtTrainer.Train(x, [0, 1, 0], Small with { EarlyStoppingRounds = 5 }, new FeatureMatrix(2, 2), [0, 0]));
        Assert.Contains("no positive", noPositives.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopsWhenCancelled()
    {
        var (x, y) = SyntheticProblem.Make(1_000, 12, seed: 11);
        using var cancellation = new CancellationTokenSource();
        var rounds = 0;
        Assert.Throws<OperationCanceledException>(() => GbdtTrainer.Train(x, y, Small with { NumRounds = 1000 }, onRound: _ =>
        {
            if (++rounds == 3)
            {
                cancellation.Cancel();
            }
        }, cancellationToken: cancellation.Token));
        Assert.Equal(3, rounds);
    }

    [Fact]
    public void ReportsGainAndSplitImportanceForInformativeFeatures()
    {
        var (x, y) = SyntheticProblem.Make(4_000, 16, seed: 12);
        var model = GbdtTrainer.Train(x, y, Small);
        var gain = model.GainImportance();
        var splits = model.SplitCountImportance();

        Assert.Equal(16, gain.Length);
        // Feature 4 drives the label through sin(2x); feature 15 is pure noise.
        Assert.True(gain[4] > 10 * gain[15], $"gain of feature 4: {gain[4]:F1}, of feature 15: {gain[15]:F1}");
        Assert.True(splits[4] > 0);
        Assert.Equal(splits.Sum(), model.ToDto().Trees.Sum(t => t.Feature.Count(f => f >= 0)));
    }
}
