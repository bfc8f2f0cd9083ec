using Fraud.Learning;

namespace Fraud.Learning.Tests;

/// <summary>
/// A seeded binary problem shaped like basket features (spend-like skewed amounts, small counts, flags, missing
/// values) whose label depends on thresholds, interactions and a non-monotone term, so a linear model cannot capture
/// it but trees can. About 5–8% positives.
/// </summary>
internal static class SyntheticProblem
{
    public static (FeatureMatrix X, float[] Y) Make(int rows, int features, int seed, double missingRate = 0.05) =>
        MakeWithOracle(rows, features, seed, missingRate) is var (x, y, _) ? (x, y) : default;

    /// <summary>The same rows with each row's true log-odds, the best any model can rank by.</summary>
    public static (FeatureMatrix X, float[] Y, double[] Oracle) MakeWithOracle(int rows, int features, int seed, double missingRate = 0.05)
    {
        if (features < 10)
        {
            throw new ArgumentOutOfRangeException(nameof(features), "The label uses the first 10 features.");
        }

        var random = new Random(seed);
        var x = new FeatureMatrix(rows, features);
        var y = new float[rows];
        var oracle = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = x.Row(r);
            for (var j = 0; j < features; j++)
            {
                row[j] = (j % 4) switch
                {
                    0 => (float)Gaussian(random),
                    // Spend in a category: zero in most baskets, skewed when present.
                    1 => random.NextDouble() < 0.8 ? 0 : (float)Math.Round(Math.Exp(3 + Gaussian(random)), 2),
                    // Units in a category: mostly zero.
                    2 => random.NextDouble() < 0.7 ? 0 : random.Next(1, 6),
                    _ => random.NextDouble() < 0.3 ? 1 : 0,
                };
                if (j >= 8 && random.NextDouble() < missingRate)
                {
                    row[j] = float.NaN;
                }
            }

            var logit = -4.6
                + (2.2 * (row[0] > 1 && row[3] == 1 ? 1 : 0))
                + (1.6 * Math.Sin(2 * row[4]))
                + (1.6 * (row[1] > 60 ? 1 : 0))
                + (1.4 * (row[2] >= 4 && row[5] > 30 ? 1 : 0))
                + (0.9 * Math.Abs(row[8] is var v && float.IsNaN(v) ? 2 : v))
                + (1.2 * (float.IsNaN(row[9]) ? 1 : 0));
            oracle[r] = logit;
            y[r] = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
        }

        return (x, y, oracle);
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
