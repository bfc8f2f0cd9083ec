using Fraud.Baskets;

namespace Fraud.Baskets.Tests;

public sealed class SyntheticBasketsCalibrationTests
{
    [Fact]
    public void HundredThousandRowsOfSeedOneAreRareFraudThatIsHardButLearnable()
    {
        var summary = new OracleSummary(100_000);
        foreach (var row in SyntheticBaskets.Generate(new GeneratorOptions { Rows = 100_000, Seed = 1 }))
        {
            summary.Add(row.FraudProbability, row.IsFraud);
        }

        var ap = summary.AveragePrecision();
        Assert.InRange(summary.FraudRate, 0.010, 0.018);
        Assert.InRange(ap, 0.2, 0.5);
    }
}
