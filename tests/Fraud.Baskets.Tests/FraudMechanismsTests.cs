using System.Globalization;
using Fraud.Testing;

namespace Fraud.Baskets.Tests;

public sealed class FraudMechanismsTests
{
    private static readonly FraudMechanismKind[] Others = [FraudMechanismKind.Reseller, FraudMechanismKind.StolenIdentity, FraudMechanismKind.Stuffing];

    private static List<SyntheticBasket> Generate(FraudMechanismKind mechanism, int rows, int seed = 3) =>
        [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = seed, Mechanism = mechanism })];

    private static bool IsExtra(BasketItem i) => i.Item is "WARRANTY" or "FULFILMENT CHARGE" or "SERVICE";

    [Theory]
    [InlineData(FraudMechanismKind.Reseller)]
    [InlineData(FraudMechanismKind.StolenIdentity)]
    [InlineData(FraudMechanismKind.Stuffing)]
    public void EachMechanismWritesTheSameBytesForTheSameSeed(FraudMechanismKind mechanism)
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var options = new GeneratorOptions { Rows = 2000, Seed = 5, Mechanism = mechanism };

        SyntheticBaskets.WriteDataset(a.Path, options);
        SyntheticBaskets.WriteDataset(b.Path, options);

        foreach (var file in new[] { "X.csv", "Y.csv", "oracle.csv" })
        {
            Assert.Equal(File.ReadAllBytes(a.File(file)), File.ReadAllBytes(b.File(file)));
        }
    }

    [Fact]
    public void MechanismsHaveIdsThatNeverCollideAndValidBaskets()
    {
        var all = FraudMechanisms.All.SelectMany(m => Generate(m, 1000, seed: 1)).ToList();

        Assert.Equal(all.Count, all.Select(g => g.Basket.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, g => Assert.True(BasketValidation.IsValid(g.Basket), g.Basket.Id));
    }

    [Fact]
    public void EachMechanismSellsFromItsOwnCatalogueVariant()
    {
        var retail = Generate(FraudMechanismKind.Retail, 5000).SelectMany(g => g.Basket.Items).ToList();
        var retailMakes = retail.Select(i => i.Make).ToHashSet(StringComparer.Ordinal);
        var retailModels = retail.Select(i => i.Model).ToHashSet(StringComparer.Ordinal);
        var retailMedian = Median(retail.Where(i => !IsExtra(i)).Select(i => i.CashPrice));
        var variants = new Dictionary<FraudMechanismKind, List<BasketItem>>();
        foreach (var mechanism in Others)
        {
            var items = Generate(mechanism, 5000).SelectMany(g => g.Basket.Items).ToList();
            variants[mechanism] = items;
            // Other makes and model names: nothing spelled as in the retail catalogue.
            Assert.DoesNotContain(items, i => retailMakes.Contains(i.Make));
            Assert.True(items.Count(i => retailModels.Contains(i.Model)) < items.Count / 100, mechanism.ToString());
        }

        // Goods codes in a format of their own, and price levels apart.
        Assert.All(variants[FraudMechanismKind.Reseller].Where(i => !IsExtra(i)), i => Assert.StartsWith("RX-", i.GoodsCode, StringComparison.Ordinal));
        Assert.All(variants[FraudMechanismKind.StolenIdentity].Where(i => !IsExtra(i)), i => Assert.True(i.GoodsCode.Length == 13 && i.GoodsCode.All(char.IsAsciiDigit), i.GoodsCode));
        Assert.All(variants[FraudMechanismKind.Stuffing].Where(i => !IsExtra(i)), i => Assert.StartsWith("SKU", i.GoodsCode, StringComparison.Ordinal));
        Assert.True(Median(variants[FraudMechanismKind.StolenIdentity].Where(i => !IsExtra(i)).Select(i => i.CashPrice)) > 5 * retailMedian);
        Assert.Contains(variants[FraudMechanismKind.Stuffing], i => i.CashPrice != Math.Round(i.CashPrice));
    }

    [Theory]
    [InlineData(FraudMechanismKind.Reseller)]
    [InlineData(FraudMechanismKind.StolenIdentity)]
    [InlineData(FraudMechanismKind.Stuffing)]
    public void EachMechanismIsRareFraudThatAnOracleCanRank(FraudMechanismKind mechanism)
    {
        var summary = new OracleSummary(40_000);
        foreach (var row in Generate(mechanism, 40_000, seed: 1))
        {
            summary.Add(row.FraudProbability, row.IsFraud);
        }

        Assert.InRange(summary.FraudRate, 0.009, 0.02);
        Assert.InRange(summary.AveragePrecision(), 0.12, 0.45);
    }

    [Fact]
    public void EachMechanismPutsItsRiskInADifferentKindOfBasket()
    {
        static double Lift(List<SyntheticBasket> rows, Func<Basket, bool> shape)
        {
            var inside = rows.Where(r => shape(r.Basket)).ToList();
            Assert.NotEmpty(inside);
            return inside.Average(r => r.FraudProbability) / rows.Average(r => r.FraudProbability);
        }

        static bool SeveralUnits(Basket b) => b.Items.Any(i => !IsExtra(i) && i.Quantity >= 2);
        static bool ManyLines(Basket b) => b.Items.Count(i => !IsExtra(i)) >= 8;
        static bool Single(Basket b) => b.Items.Count(i => !IsExtra(i)) == 1;
        static bool SingleDelivered(Basket b) => Single(b) && b.Items.Any(i => i.Item == "FULFILMENT CHARGE") && b.Items.All(i => i.Quantity == 1);

        var reseller = Generate(FraudMechanismKind.Reseller, 30_000);
        var stolen = Generate(FraudMechanismKind.StolenIdentity, 30_000);
        var stuffing = Generate(FraudMechanismKind.Stuffing, 30_000);

        var lifts = string.Create(CultureInfo.InvariantCulture, $"reseller units {Lift(reseller, SeveralUnits):F2} lines {Lift(reseller, b => ManyLines(b) && !SeveralUnits(b)):F2}; stolen units {Lift(stolen, SeveralUnits):F2} single {Lift(stolen, SingleDelivered):F2}; stuffing lines {Lift(stuffing, ManyLines):F2} single {Lift(stuffing, Single):F2}");
        Assert.True(Lift(reseller, SeveralUnits) > 3, lifts);
        Assert.True(Lift(stolen, SeveralUnits) < 1, lifts);
        Assert.True(Lift(stuffing, ManyLines) > 3, lifts);
        // Reseller risk follows units, not lines: long baskets of single units are no riskier than most.
        Assert.True(Lift(reseller, b => ManyLines(b) && !SeveralUnits(b)) < 2, lifts);
        Assert.True(Lift(stolen, SingleDelivered) > 2, lifts);
        Assert.True(Lift(stuffing, Single) < 0.5, lifts);
    }

    [Fact]
    public void MechanismNamesParseBackAndUnknownNamesAreRefused()
    {
        foreach (var kind in FraudMechanisms.All)
        {
            Assert.True(FraudMechanisms.TryParse(FraudMechanisms.Name(kind).ToUpper(CultureInfo.InvariantCulture), out var parsed));
            Assert.Equal(kind, parsed);
        }

        Assert.False(FraudMechanisms.TryParse("phishing", out _));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
