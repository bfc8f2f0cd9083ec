using System.Text.Json;

namespace Fraud.Learning.Tests;

public sealed class LogisticRegressionTests
{
    /// <summary>A truly logistic problem: log-odds = -1 + 2·x0 - 1·x1 (x2 is noise, x3 is constant).</summary>
    private static (FeatureMatrix X, float[] Y) Linear(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new FeatureMatrix(rows, 4);
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            x[i, 0] = (float)((random.NextDouble() * 4) - 2);
            x[i, 1] = (float)((random.NextDouble() * 4) - 2);
            x[i, 2] = (float)random.NextDouble();
            x[i, 3] = 7;
            var z = -1 + (2 * x[i, 0]) - x[i, 1];
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return (x, y);
    }

    [Fact]
    public void TrainingInPlaceGivesTheSameModelAsTrainingOnACopy()
    {
        var (x, y) = Linear(5_000, seed: 3);
        x[5, 2] = float.NaN;
        var original = (float[])x.Values.Clone();
        var copy = LogisticRegression.Train(x, y, new LogisticOptions { Threads = 1 });
        Assert.Equal(original, x.Values);

        var consumed = LogisticRegression.TrainConsuming(x, y, new LogisticOptions { Threads = 2 });

        Assert.Equal(copy.Weights, consumed.Weights);
        Assert.Equal(copy.Intercept, consumed.Intercept);
        // The matrix now holds the standardised values.
        Assert.NotEqual(original, x.Values);
    }

    [Fact]
    public void RecoversTheCoefficientsOfALogisticProblem()
    {
        var (x, y) = Linear(20_000, seed: 1);
        var model = LogisticRegression.Train(x, y, new LogisticOptions { L2 = 0, Threads = 1 });

        // Weights are per standard deviation: the raw coefficient times std(U(-2, 2)) = 4 / sqrt(12).
        var std = 4 / Math.Sqrt(12);
        Assert.Equal(2 * std, model.Weights[0], 1);
        Assert.Equal(-1 * std, model.Weights[1], 1);
        Assert.Equal(0, model.Weights[2], 1);
        Assert.Equal(0, model.Weights[3]);
        Assert.Equal(-1, model.PredictRaw([0, 0, 0.5f, 7]), 1);
    }

    [Fact]
    public void ImputesMissingValuesWithTheTrainingMean()
    {
        var (x, y) = Linear(5_000, seed: 2);
        var model = LogisticRegression.Train(x, y, new LogisticOptions { Threads = 1 });
        var mean = Enumerable.Range(0, x.Rows).Average(r => x[r, 0]);

        Assert.Equal(model.PredictRaw([(float)mean, 1, 0.5f, 7]), model.PredictRaw([float.NaN, 1, 0.5f, 7]), 6);
    }

    [Fact]
    public void GivesTheSameModelForAnyThreadCountAndAfterAJsonRoundTrip()
    {
        var (x, y) = Linear(9_000, seed: 3);
        var one = LogisticRegression.Train(x, y, new LogisticOptions { Threads = 1 });
        var two = LogisticRegression.Train(x, y, new LogisticOptions { Threads = 2 });
        Assert.Equal(JsonSerializer.Serialize(one.ToDto()), JsonSerializer.Serialize(two.ToDto()));

        var restored = LogisticRegression.FromDto(JsonSerializer.Deserialize<LogisticRegressionDto>(JsonSerializer.Serialize(one.ToDto()))!);
        Assert.Equal(one.PredictRaw(x.Row(5)), restored.PredictRaw(x.Row(5)));
    }

    [Fact]
    public void StrongerL2ShrinksTheWeights()
    {
        var (x, y) = Linear(5_000, seed: 4);
        var loose = LogisticRegression.Train(x, y, new LogisticOptions { L2 = 0, Threads = 1 });
        var tight = LogisticRegression.Train(x, y, new LogisticOptions { L2 = 1, Threads = 1 });
        Assert.True(Math.Abs(tight.Weights[0]) < Math.Abs(loose.Weights[0]) / 2);
    }

    [Fact]
    public void FromDtoRejectsInconsistentParameters()
    {
        Assert.Throws<InvalidDataException>(() => LogisticRegression.FromDto(new LogisticRegressionDto { Means = [0], Scales = [1], Weights = [1, 2] }));
        Assert.Throws<InvalidDataException>(() => LogisticRegression.FromDto(new LogisticRegressionDto { Means = [0], Scales = [1], Weights = [double.NaN] }));
        Assert.Throws<InvalidDataException>(() => LogisticRegression.FromDto(new LogisticRegressionDto { Means = [0], Scales = [-1], Weights = [1] }));
    }
}
