namespace Fraud.Learning.Tests;

public sealed class CalibrationTests
{
    /// <summary>Labels drawn from σ(z) while the "model" reports 3z + 1: over-confident and biased.</summary>
    private static (double[] Raw, float[] Y) Miscalibrated(int rows, int seed)
    {
        var random = new Random(seed);
        var raw = new double[rows];
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            var z = (random.NextDouble() * 8) - 5;
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
            raw[i] = (3 * z) + 1;
        }

        return (raw, y);
    }

    private static double LogLossOf(Func<double, double> map, double[] raw, float[] y) =>
        Metrics.LogLoss(raw.Select(map).ToArray(), y);

    [Fact]
    public void PlattRecoversTheTrueScaleOfAMiscalibratedScore()
    {
        var (raw, y) = Miscalibrated(20_000, seed: 1);
        var platt = PlattCalibrator.Fit(raw, y);

        // raw = 3z + 1, so the true map is σ(raw / 3 - 1/3).
        Assert.Equal(1.0 / 3, platt.Slope, 1);
        Assert.Equal(-1.0 / 3, platt.Intercept, 1);
    }

    [Fact]
    public void IsotonicCalibrationImprovesLogLossOnHeldOutData()
    {
        var (raw, y) = Miscalibrated(20_000, seed: 1);
        var (testRaw, testY) = Miscalibrated(20_000, seed: 2);
        var isotonic = IsotonicCalibrator.Fit(raw, y);

        var before = LogLossOf(r => 1 / (1 + Math.Exp(-r)), testRaw, testY);
        var after = LogLossOf(isotonic.Calibrate, testRaw, testY);
        Assert.True(after < before - 0.05, $"log-loss {before:F4} -> {after:F4}");

        var platt = PlattCalibrator.Fit(raw, y);
        Assert.True(LogLossOf(platt.Calibrate, testRaw, testY) < before - 0.05);
    }

    [Fact]
    public void CalibratorsAreMonotoneAndStayWithinProbabilities()
    {
        var (raw, y) = Miscalibrated(5_000, seed: 3);
        ICalibrator[] calibrators = [PlattCalibrator.Fit(raw, y), IsotonicCalibrator.Fit(raw, y)];
        foreach (var calibrator in calibrators)
        {
            var previous = double.NegativeInfinity;
            for (var r = -30.0; r <= 30; r += 0.01)
            {
                var p = calibrator.Calibrate(r);
                Assert.InRange(p, 0, 1);
                Assert.True(p >= previous, $"{calibrator.GetType().Name} decreases at {r}");
                previous = p;
            }
        }
    }

    [Fact]
    public void IsotonicPoolsViolatorsAndInterpolatesBetweenBlocks()
    {
        // Scores 1..4 with labels 0, 1, 0, 1: the middle pair violates order and pools to 0.5.
        var isotonic = IsotonicCalibrator.Fit(new double[] { 1, 2, 3, 4 }, new float[] { 0, 1, 0, 1 });
        Assert.Equal(0, isotonic.Calibrate(1));
        Assert.Equal(0.5, isotonic.Calibrate(2));
        Assert.Equal(0.5, isotonic.Calibrate(3));
        Assert.Equal(1, isotonic.Calibrate(4));
        Assert.Equal(0.25, isotonic.Calibrate(1.5), 12);
        Assert.Equal(0, isotonic.Calibrate(-100));
        Assert.Equal(1, isotonic.Calibrate(100));
    }

    [Fact]
    public void IsotonicGivesTiedScoresOneProbability()
    {
        var isotonic = IsotonicCalibrator.Fit(new double[] { 2, 1, 2, 2 }, new float[] { 1, 0, 0, 0 });
        Assert.Equal(1.0 / 3, isotonic.Calibrate(2), 12);
    }

    [Fact]
    public void CalibratorDtosRoundTripThroughJson()
    {
        var (raw, y) = Miscalibrated(2_000, seed: 4);
        ICalibrator[] calibrators = [PlattCalibrator.Fit(raw, y), IsotonicCalibrator.Fit(raw, y)];
        foreach (var calibrator in calibrators)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(calibrator.ToDto());
            var restored = Calibrators.FromDto(System.Text.Json.JsonSerializer.Deserialize<CalibratorDto>(json)!);
            foreach (var r in new[] { -7.3, -1, 0, 0.5, 2.2, 9 })
            {
                Assert.Equal(calibrator.Calibrate(r), restored.Calibrate(r));
            }
        }
    }

    [Fact]
    public void FromDtoRejectsCorruptCalibrators()
    {
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "spline" }));
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "platt", Slope = double.NaN }));
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "platt", Slope = -1 }));
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "isotonic", X = [1, 2], Y = [0.5] }));
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "isotonic", X = [1, 2], Y = [0.6, 0.5] }));
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "isotonic", X = [2, 1], Y = [0.1, 0.5] }));
        Assert.Throws<InvalidDataException>(() => Calibrators.FromDto(new CalibratorDto { Kind = "isotonic", X = [1], Y = [1.5] }));
    }

    [Fact]
    public void PlattFallsBackToThePriorWhenScoresRankBackwards()
    {
        var platt = PlattCalibrator.Fit(new double[] { 1, 2, 3, 4 }, new float[] { 1, 1, 0, 0 });
        Assert.Equal(0, platt.Slope);
        Assert.Equal(platt.Calibrate(-5), platt.Calibrate(5));
    }
}
