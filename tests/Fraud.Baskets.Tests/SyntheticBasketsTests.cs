using Fraud.Testing;

namespace Fraud.Baskets.Tests;

public sealed class SyntheticBasketsTests
{
    private static List<SyntheticBasket> Generate(int rows, int seed = 11, bool drift = false) =>
        [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = seed, Drift = drift })];

    [Fact]
    public void SameSeedWritesTheSameBytes()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var options = new GeneratorOptions { Rows = 3000, Seed = 42 };

        SyntheticBaskets.WriteDataset(a.Path, options);
        SyntheticBaskets.WriteDataset(b.Path, options);

        foreach (var file in new[] { "X.csv", "Y.csv", "oracle.csv" })
        {
            Assert.Equal(File.ReadAllBytes(a.File(file)), File.ReadAllBytes(b.File(file)));
        }
    }

    [Fact]
    public void GeneratingOnManyThreadsAtOnceGivesTheSameBaskets()
    {
        var expected = Generate(2000);

        var results = new List<SyntheticBasket>[4];
        Parallel.For(0, results.Length, i => results[i] = Generate(2000));

        foreach (var result in results)
        {
            Assert.Equal(expected, result);
        }
    }

    [Fact]
    public void DifferentSeedsGiveDifferentBasketsAndIdsThatNeverCollide()
    {
        var one = Generate(2000, seed: 1);
        var eleven = Generate(2000, seed: 11);
        var drifted = Generate(2000, seed: 1, drift: true);

        var ids = one.Concat(eleven).Concat(drifted).Select(g => g.Basket.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.NotEqual(one.Select(g => g.Basket.Items), eleven.Select(g => g.Basket.Items));
    }

    [Fact]
    public void WrittenDatasetReadsBackWithMatchingLabelsAndOracle()
    {
        using var folder = new TempDirectory();
        var written = SyntheticBaskets.WriteDataset(folder.Path, new GeneratorOptions { Rows = 5000, Seed = 2 });
        var expected = Generate(5000, seed: 2);

        var data = BasketCsv.ReadLabelled(written.FeaturesPath, written.LabelsPath, new CsvReadOptions { NormalizeCategories = false });
        var oracle = File.ReadAllLines(written.OraclePath);

        Assert.True(data.Join.IsComplete);
        Assert.Equal(expected.Select(g => g.Basket), data.Baskets);
        Assert.Equal(expected.Select(g => g.IsFraud), data.Labels);
        Assert.Equal("ID,p", oracle[0]);
        Assert.Equal(5001, oracle.Length);
        Assert.Equal(expected[10].FraudProbability, double.Parse(oracle[11].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Count(g => g.IsFraud), written.Frauds);
    }

    [Fact]
    public void BasketsLookLikeRetailBaskets()
    {
        var baskets = Generate(20_000).Select(g => g.Basket).ToList();
        var items = baskets.SelectMany(b => b.Items).ToList();

        Assert.All(baskets, b => Assert.True(BasketValidation.IsValid(b), b.Id));

        // Mostly 1 to 3 lines, with a long tail reaching well past 10.
        Assert.InRange(baskets.Count(b => b.Items.Count <= 3) / (double)baskets.Count, 0.8, 0.95);
        Assert.True(baskets.Max(b => b.Items.Count) >= 18);

        // Quantities mostly 1, and identical products merged into one line.
        Assert.InRange(items.Count(i => i.Quantity == 1) / (double)items.Count, 0.88, 0.98);
        Assert.All(baskets, b => Assert.Equal(b.Items.Count, b.Items.Select(i => i.Model).Distinct().Count()));

        // A broad catalogue: about 25 categories, a few hundred products, numeric goods codes.
        var categories = items.Select(i => Categories.Normalize(i.Item)).Distinct().Count();
        Assert.InRange(categories, 22, 30);
        Assert.InRange(items.Select(i => i.Model).Distinct().Count(), 200, 500);
        Assert.True(items.Where(i => i.GoodsCode != "FULFILMENT").All(i => i.GoodsCode.All(char.IsAsciiDigit)));

        // Apple-heavy computer baskets, and prices that vary around the list price.
        var computers = items.Where(i => i.Item == "COMPUTERS").ToList();
        Assert.InRange(computers.Count(i => i.Make == "APPLE") / (double)computers.Count, 0.6, 0.9);
        var airPrices = items.Where(i => i.Model.EndsWith("M1 PROCESSOR 8GB 256GB SSD", StringComparison.Ordinal)).Select(i => i.CashPrice).Distinct().Count();
        Assert.True(airPrices > 20);

        // Warranty and delivery lines appear, as category spelling variants do.
        Assert.Contains(items, i => i.Item == "WARRANTY");
        Assert.Contains(items, i => i.Item == "FULFILMENT CHARGE");
        Assert.Contains(items, i => i.Item == "TELEVISIONSHOME CINEMA");
    }

    [Fact]
    public void FraudConcentratesInResellableHighValueBaskets()
    {
        var rows = Generate(50_000);
        static bool Risky(Basket b) => b.Items.Any(i => i.CashPrice >= 600 && (i.Make == "APPLE" || i.Item.StartsWith("TELEPHONES", StringComparison.Ordinal) || i.Item == "GAMING"));

        var risky = rows.Where(r => Risky(r.Basket)).ToList();
        var other = rows.Where(r => !Risky(r.Basket)).ToList();
        var multiUnit = rows.Where(r => r.Basket.Items.Any(i => i.Quantity >= 2 && i.CashPrice >= 300)).ToList();

        Assert.True(risky.Average(r => r.IsFraud ? 1.0 : 0) > 2 * other.Average(r => r.IsFraud ? 1.0 : 0));
        Assert.True(multiUnit.Average(r => r.FraudProbability) > 4 * rows.Average(r => r.FraudProbability));
    }

    [Fact]
    public void DriftShiftsTheProductMixAndPricesButKeepsTheLayout()
    {
        var normal = Generate(20_000).Select(g => g.Basket).ToList();
        var drifted = Generate(20_000, drift: true).Select(g => g.Basket).ToList();
        static double Share(List<Basket> baskets, string category) =>
            baskets.Count(b => Categories.Normalize(b.Items[0].Item) == category) / (double)baskets.Count;
        static double MeanPrice(List<Basket> baskets, string model) =>
            baskets.SelectMany(b => b.Items).Where(i => i.Model == model).Average(i => i.CashPrice);

        Assert.True(Share(drifted, "GAMING") > 1.5 * Share(normal, "GAMING"));
        Assert.True(Share(drifted, "COMPUTERS") < 0.8 * Share(normal, "COMPUTERS"));
        Assert.True(MeanPrice(drifted, "APPLE IPHONE 15 128GB") > 1.15 * MeanPrice(normal, "APPLE IPHONE 15 128GB"));
        Assert.True(MeanPrice(drifted, "SONOS BEAM GEN 2 SMART SOUNDBAR") > 1.15 * MeanPrice(normal, "SONOS BEAM GEN 2 SMART SOUNDBAR"));
        Assert.All(drifted, b => Assert.True(BasketValidation.IsValid(b)));
    }

    [Fact]
    public void DriftFillsBiggerBasketsThroughTheSameFraudMechanism()
    {
        var normal = Generate(20_000);
        var drifted = Generate(20_000, drift: true);
        static double MultiItemShare(List<SyntheticBasket> data) => data.Count(g => g.Basket.Items.Count > 1) / (double)data.Count;
        static double FraudRate(List<SyntheticBasket> data) => data.Count(g => g.IsFraud) / (double)data.Count;

        Assert.True(MultiItemShare(drifted) > MultiItemShare(normal) + 0.15, $"multi-item share {MultiItemShare(drifted):P1} vs {MultiItemShare(normal):P1}");
        // Same mechanism on a dearer, bigger mix: the rate may move, but stays a plausible consumer-credit fraud rate.
        Assert.InRange(FraudRate(drifted), 0.5 * FraudRate(normal), 3 * FraudRate(normal));
        Assert.InRange(FraudRate(drifted), 0.003, 0.06);
    }

    [Fact]
    public void ACancelledWriteLeavesNoPartialFilesBehind()
    {
        using var folder = new TempDirectory();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticBaskets.WriteDataset(folder.Path, new GeneratorOptions { Rows = 5000 }, cancellationToken: cancelled.Token));

        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void RejectsANegativeRowCount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticBaskets.Generate(new GeneratorOptions { Rows = -1 }));
    }
}
