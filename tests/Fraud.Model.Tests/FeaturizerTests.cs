using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Model.Features;

namespace Fraud.Model.Tests;

public sealed class FeaturizerTests
{
    private static readonly BasketItem Laptop = new("COMPUTERS", 1299, "APPLE", "2023 APPLE MACBOOK AIR 15", "239001518", 1);

    [Fact]
    public void SameDataAndSeedGiveIdenticalFeatures()
    {
        var (baskets, labels) = Generated(3000, 21);
        var (first, a) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 3);
        var (second, b) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 3);
        Assert.Equal(a, b);
        Assert.Equal(first.FeatureNames, second.FeatureNames);

        var row1 = new float[first.FeatureCount];
        var row2 = new float[first.FeatureCount];
        first.Featurize(baskets[7], row1);
        first.Featurize(baskets[7], row2);
        Assert.Equal(row1, row2);
    }

    [Fact]
    public void UnseenValuesFallBackToThePooledPrior()
    {
        var (baskets, labels) = Generated(3000, 22);
        var (featurizer, _) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 1);
        var basket = new Basket("new", [new BasketItem("SPACESHIPS", 999, "NOBODYMAKESTHIS", "QZXW-Q7Q NEVERSEEN", "000000000", 1)]);
        var row = new float[featurizer.FeatureCount];
        featurizer.Featurize(basket, row);
        float F(string name) => row[featurizer.FeatureNames.ToList().IndexOf(name)];

        var prior = F("model_risk_max");
        Assert.InRange(prior, 0.001f, 0.1f);
        Assert.Equal(prior, F("goods_code_risk_max"));
        Assert.Equal(prior, F("model_word_risk_max"));
        Assert.Equal(prior, F("category_risk_max"));
        Assert.Equal(prior, F("make_risk_max"));
        Assert.Equal(1, F("model_unseen_lines"));
        Assert.Equal(0, F("model_seen_log_count_min"));
        Assert.Equal(1, F("category_units:(other)"));
        Assert.Equal(999, F("make_spend:(other)"));
    }

    [Fact]
    public void AggregatesDescribeTheBasket()
    {
        var (baskets, labels) = Generated(2000, 23);
        var (featurizer, _) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 1);
        var basket = new Basket("b", [Laptop with { Quantity = 3 }, new BasketItem("Fulfilment Charge", 10, "", "", "", 1), new BasketItem("WARRANTY", 99, "RETAILER", "3 YEAR COVER", "W1", 1)]);
        var row = new float[featurizer.FeatureCount];
        featurizer.Featurize(basket, row);
        float F(string name) => row[featurizer.FeatureNames.ToList().IndexOf(name)];

        Assert.Equal(3 * 1299 + 10 + 99, F("total_amount"), 2);
        Assert.Equal(3, F("line_count"));
        Assert.Equal(5, F("unit_count"));
        Assert.Equal(3, F("max_quantity"));
        Assert.Equal(1, F("has_fulfilment_charge"));
        Assert.Equal(1, F("has_warranty"));
        Assert.Equal(0, F("has_service"));
        Assert.Equal(1, F("lines_without_make"));
        Assert.Equal(3 * 1299 / (3 * 1299 + 10 + 99.0), F("top_line_share"), 4);
    }

    [Fact]
    public void PriceBandsFollowTheTrainingPricesSoAnotherCurrencyGetsTheSameBands()
    {
        // The same baskets priced 9.6 times higher (another currency): fixed bounds of 25 ... 1,500 would put nearly
        // every line in the top band; bands at quantiles of the training prices count the same lines in the same band.
        var (baskets, labels) = Generated(3000, 25);
        var dear = baskets.ConvertAll(b => b with { Items = [.. b.Items.Select(i => i with { CashPrice = i.CashPrice * 9.6 })] });
        var (home, _) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 1);
        var (abroad, _) = FeaturizerFitter.FitTransform(dear, labels, new FeaturizerOptions(), seed: 1);
        var (fixedBands, _) = FeaturizerFitter.FitTransform(dear, labels, new FeaturizerOptions { PriceBands = PriceBandMode.Fixed }, seed: 1);
        var bands = home.FeatureNames.Where(n => n.StartsWith("lines_price_", StringComparison.Ordinal) || n.StartsWith("max_quantity_price_", StringComparison.Ordinal)).ToArray();
        Assert.Equal(8, bands.Length);
        int Top(BasketFeaturizer f, IEnumerable<Basket> rows) => (int)rows.Sum(b => Row(f, b)[f.IndexOf("lines_price_p90_plus")]);

        for (var i = 0; i < 500; i++)
        {
            var a = Row(home, baskets[i]);
            var b = Row(abroad, dear[i]);
            Assert.All(bands, name => Assert.Equal(a[home.IndexOf(name)], b[abroad.IndexOf(name)]));
        }

        var lines = baskets.Sum(b => b.Items.Count);
        Assert.InRange(Top(abroad, dear), lines * 0.05, lines * 0.15);
        Assert.True(Top(fixedBands, dear) > lines * 0.5, "the fixed bounds put most dear lines in the top band");
    }

    [Fact]
    public void PriceDecilesCountTheLinesBelowEachDecileInAnyCurrency()
    {
        // Layout 5 (price_deciles): nine cumulative counts of the lines priced below the 10 % … 90 % quantiles of the
        // training line prices, appended after every layout-4 feature, so layout 4's features keep their positions.
        var (baskets, labels) = Generated(3000, 26);
        var dear = baskets.ConvertAll(b => b with { Items = [.. b.Items.Select(i => i with { CashPrice = i.CashPrice * 9.6 })] });
        var options = new FeaturizerOptions { PriceDeciles = true };
        var (home, _) = FeaturizerFitter.FitTransform(baskets, labels, options, seed: 1);
        var (abroad, _) = FeaturizerFitter.FitTransform(dear, labels, options, seed: 1);
        var (layout4, _) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 1);

        Assert.Equal(5, home.LayoutVersion);
        Assert.Equal(4, layout4.LayoutVersion);
        string[] deciles = [.. Enumerable.Range(1, 9).Select(d => $"lines_price_below_p{d * 10}")];
        Assert.Equal([.. layout4.FeatureNames, .. deciles], home.FeatureNames);
        Assert.Equal(9, home.PriceBands.DecileBounds.Length);

        var lines = 0;
        var below = new int[9];
        for (var i = 0; i < 500; i++)
        {
            var row = Row(home, baskets[i]);
            var expected = Row(layout4, baskets[i]);
            Assert.Equal(expected, row[..layout4.FeatureCount]);
            var counts = deciles.Select(n => row[home.IndexOf(n)]).ToArray();
            for (var d = 0; d < 9; d++)
            {
                Assert.Equal(baskets[i].Items.Count(item => LineKeys.Price(item) < home.PriceBands.DecileBounds[d]), counts[d]);
                below[d] += (int)counts[d];
            }

            // The same lines, priced 9.6 times higher and fitted on those prices, are counted alike.
            var other = Row(abroad, dear[i]);
            Assert.Equal(counts, deciles.Select(n => other[abroad.IndexOf(n)]).ToArray());
            lines += baskets[i].Items.Count;
        }

        // Roughly a tenth of the lines more below each decile (prices repeat, so not exactly).
        for (var d = 0; d < 9; d++)
        {
            Assert.InRange(below[d], lines * ((d + 1) * 0.1 - 0.06), lines * ((d + 1) * 0.1 + 0.06));
        }
    }

    [Fact]
    public void SpellingsOfOneCategoryMeetInOneFeature()
    {
        var (baskets, labels) = Generated(3000, 24);
        var (featurizer, _) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 1);
        var a = new float[featurizer.FeatureCount];
        var b = new float[featurizer.FeatureCount];
        featurizer.Featurize(new Basket("a", [Laptop with { Item = "COMPUTERS" }]), a);
        featurizer.Featurize(new Basket("b", [Laptop with { Item = "Computers " }]), b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void TrainingRowsDoNotSeeTheirOwnLabelThroughTargetEncoding()
    {
        // Labels are pure noise, so an honest encoding of the training rows must not separate them; an in-sample
        // encoding (each row's own label inside its model's rate) does, which is the leak out-of-fold prevents.
        var random = new Random(5);
        var models = Enumerable.Range(0, 300).Select(i => $"MODEL {i}").ToArray();
        var baskets = Enumerable.Range(0, 6000).Select(i => new Basket($"r{i}", [Laptop with { Model = models[random.Next(models.Length)] }])).ToList();
        var labels = baskets.Select(_ => random.NextDouble() < 0.2).ToList();
        var options = new FeaturizerOptions { Smoothing = 1, MinEncodingCount = 1 };
        var (featurizer, outOfFold) = FeaturizerFitter.FitTransform(baskets, labels, options, seed: 2);
        var column = featurizer.FeatureNames.ToList().IndexOf("model_risk_max");
        var width = featurizer.FeatureCount;

        var honest = new double[baskets.Count];
        var inSample = new double[baskets.Count];
        var row = new float[width];
        for (var i = 0; i < baskets.Count; i++)
        {
            honest[i] = outOfFold[(i * width) + column];
            featurizer.Featurize(baskets[i], row);
            inSample[i] = row[column];
        }

        var y = labels.ToArray();
        Assert.InRange(Metrics.RocAuc(honest, y), 0.40, 0.56);
        Assert.True(Metrics.RocAuc(inSample, y) > 0.58, "the in-sample encoding should leak (this is what the test guards against)");
    }

    [Fact]
    public void LineModelCreditsTheItemThatCarriesTheRiskNotTheOnesBoughtAlongsideIt()
    {
        // A cable is bought alone (1 % fraud), with a sofa (1 %), or with a gadget (20 %); the gadget also alone (20 %).
        // The cable's raw fraud rate is inflated by the gadget baskets it rides along in, which is what target
        // encoding measures; the line model should see that cable-only baskets are as safe as sofa-only ones.
        var random = new Random(11);
        var cable = new BasketItem("POWER CABLES", 15, "ACME", "ACME USB CABLE 1M", "C1", 1);
        var sofa = new BasketItem("LIVING ROOM FURNITURE", 800, "RETAILER", "RETAILER SOFA 3 SEATER", "S1", 1);
        var gadget = new BasketItem("GAMING", 450, "PLAYCO", "PLAYCO CONSOLE PRO", "G1", 1);
        (BasketItem[] Items, double Rate)[] kinds = [([cable], 0.01), ([cable, sofa], 0.01), ([gadget, cable], 0.2), ([gadget], 0.2), ([sofa], 0.01)];
        double[] shares = [0.35, 0.1, 0.25, 0.1, 0.2];
        var baskets = new List<Basket>();
        var labels = new List<bool>();
        for (var i = 0; i < 20000; i++)
        {
            var pick = random.NextDouble();
            var k = 0;
            while (pick > shares[k] && k < shares.Length - 1)
            {
                pick -= shares[k++];
            }

            baskets.Add(new Basket($"b{i}", kinds[k].Items));
            labels.Add(random.NextDouble() < kinds[k].Rate);
        }

        var (featurizer, _) = FeaturizerFitter.FitTransform(baskets, labels, new FeaturizerOptions(), seed: 4);
        var names = featurizer.FeatureNames.ToList();
        float F(Basket basket, string name)
        {
            var row = new float[featurizer.FeatureCount];
            featurizer.Featurize(basket, row);
            return row[names.IndexOf(name)];
        }

        var cableAlone = new Basket("c", [cable]);
        var sofaAlone = new Basket("s", [sofa]);
        var gadgetAlone = new Basket("g", [gadget]);
        Assert.True(F(cableAlone, "model_risk_max") > 2.5 * F(sofaAlone, "model_risk_max"), "the cable's encoded rate should be inflated by its company");
        Assert.InRange(F(cableAlone, "line_model_score") - F(sofaAlone, "line_model_score"), -0.6, 0.6);
        Assert.True(F(gadgetAlone, "line_model_score") > F(cableAlone, "line_model_score") + 2, "the gadget carries the risk");
        Assert.True(F(new Basket("gc", [cable, gadget]), "line_model_riskiest_line") > F(cableAlone, "line_model_riskiest_line") + 2);
        Assert.Equal(-10f, F(cableAlone, "line_model_second_line"));
    }

    private static float[] Row(BasketFeaturizer featurizer, Basket basket)
    {
        var row = new float[featurizer.FeatureCount];
        featurizer.Featurize(basket, row);
        return row;
    }

    private static (List<Basket> Baskets, List<bool> Labels) Generated(int rows, int seed)
    {
        var data = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = seed }).ToList();
        return ([.. data.Select(d => d.Basket)], [.. data.Select(d => d.IsFraud)]);
    }
}
