using Fraud.Model.Drift;

namespace Fraud.Monitoring.Tests;

public sealed class DriftStatisticsTests
{
    [Fact]
    public void PsiIsZeroForIdenticalDistributions()
    {
        Assert.Equal(0, DriftStatistics.Psi([10, 20, 30], [1, 2, 3], 1e-4), 12);
    }

    [Fact]
    public void PsiMatchesTheTextbookFormula()
    {
        // Shares 0.5/0.5 against 0.8/0.2: (0.8-0.5)ln(1.6) + (0.2-0.5)ln(0.4).
        var expected = (0.3 * Math.Log(1.6)) + (-0.3 * Math.Log(0.4));
        Assert.Equal(expected, DriftStatistics.Psi([50, 50], [80, 20], 1e-4), 12);
    }

    [Fact]
    public void PsiStaysFiniteWhenACurrentBinIsEmpty()
    {
        var psi = DriftStatistics.Psi([50, 50], [100, 0], 1e-4);
        Assert.True(double.IsFinite(psi));
        Assert.True(psi > 0.25, $"PSI {psi} should read as an alert");
    }

    [Fact]
    public void BinOfPutsEdgeValuesInTheLowerBin()
    {
        double[] edges = [1, 2, 3];
        Assert.Equal(0, DriftStatistics.BinOf(edges, 0.5));
        Assert.Equal(0, DriftStatistics.BinOf(edges, 1));
        Assert.Equal(1, DriftStatistics.BinOf(edges, 1.5));
        Assert.Equal(3, DriftStatistics.BinOf(edges, 9));
    }

    [Fact]
    public void KsPValueIsLargeForNoGapAndTinyForALargeGap()
    {
        Assert.True(DriftStatistics.KsPValue(0.01, 1000, 1000) > 0.9);
        Assert.True(DriftStatistics.KsPValue(0.2, 1000, 1000) < 1e-6);
    }

    [Fact]
    public void NumericProfileKeepsTiedValuesInOneBin()
    {
        // 80% zeros: every decile up to the 8th is 0, so 0 is one edge and all zeros share its bin.
        var values = Enumerable.Range(0, 1000).Select(i => i < 800 ? 0.0 : i).ToArray();
        var profile = NumericProfile.Build("count", values, 10);
        Assert.Equal(0, profile.Edges[0]);
        Assert.Equal(800, profile.Counts[0]);
        Assert.Equal(1000, profile.Counts.Sum());
        Assert.Equal(0.8, profile.CdfAtQuantiles[0], 6);
    }

    [Fact]
    public void NumericProfileCountsNonFiniteValuesAsMissing()
    {
        var profile = NumericProfile.Build("x", [1, double.NaN, 2, double.PositiveInfinity, 3], 4);
        Assert.Equal(2, profile.Missing);
        Assert.Equal(3, profile.Counts.Sum());
    }
}
