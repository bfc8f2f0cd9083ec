using Fraud.Baskets;

namespace Fraud.Monitoring.Tests;

/// <summary>The bench's shifts do what their names say, on generated baskets, without touching the generator.</summary>
public sealed class BasketShiftsTests
{
    private static readonly List<Basket> Pool = [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = 6000, Seed = 41 }).Select(b => b.Basket)];

    [Fact]
    public void ResamplingByCategoryHalvesOneShareAndTriplesTwo()
    {
        var factors = BasketShifts.MixFactors(Pool);
        var shifted = BasketShifts.ResampleByCategory(Pool, factors, 3000, seed: 1);

        Assert.Equal(3, factors.Count);
        Assert.Equal(3000, shifted.Count);
        foreach (var (category, factor) in factors)
        {
            var ratio = BasketShare(shifted, category) / BasketShare(Pool, category);
            Assert.InRange(ratio, factor * 0.6, factor * 1.4);
        }
    }

    [Fact]
    public void PricesLinesAndCodesMoveAsNamed()
    {
        var baskets = Pool.Take(1000).ToList();

        var dearer = BasketShifts.ScalePrices(baskets, 1.15);
        var longer = BasketShifts.AddLine(baskets, seed: 2);
        var recoded = BasketShifts.NewGoodsCodes(baskets, 0.2, seed: 3);

        Assert.Equal(baskets.Sum(b => b.TotalAmount) * 1.15, dearer.Sum(b => b.TotalAmount), 0);
        Assert.Equal(baskets.Sum(b => Math.Min(b.Items.Count + 1, Basket.MaxItems)), longer.Sum(b => b.Items.Count));
        var codes = Pool.SelectMany(b => b.Items).Select(i => i.GoodsCode).ToHashSet(StringComparer.Ordinal);
        var lines = recoded.SelectMany(b => b.Items).ToList();
        Assert.InRange(lines.Count(i => !codes.Contains(i.GoodsCode)) / (double)lines.Count, 0.17, 0.23);
    }

    private static double BasketShare(List<Basket> baskets, string category) =>
        baskets.Count(b => b.Items.Any(i => Categories.Normalize(i.Item) == category)) / (double)baskets.Count;
}
