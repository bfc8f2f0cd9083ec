namespace Fraud.Baskets;

/// <summary>
/// Draws one basket the way shoppers fill them: an anchor product, then (sometimes) cover, delivery,
/// related accessories and unrelated extras; identical products merge into one line with a higher quantity.
/// </summary>
internal sealed class BasketAssembler
{
    // Lines per basket: mostly 1-3, then a geometric tail to 24.
    private static readonly double[] LineCountCumulative = BuildLineCounts([0.50, 0.24, 0.11, 0.05, 0.03], 0.07);

    // The drifted population fills bigger baskets: a single-item basket becomes the exception rather than the rule.
    private static readonly double[] DriftLineCountCumulative = BuildLineCounts([0.30, 0.27, 0.17, 0.09, 0.05], 0.12);

    // The stuffing population has more long baskets and more cheap lines to stuff them with.
    private static readonly double[] StuffingLineCountCumulative = BuildLineCounts([0.38, 0.20, 0.10, 0.05, 0.04], 0.23);

    private readonly Catalogue _catalogue;
    private readonly bool _drift;
    private readonly FraudMechanismKind _mechanism;
    private readonly double[] _anchorCumulative;
    private readonly double[] _extraCumulative;
    private readonly double[] _cheapCumulative;
    private readonly double[][] _productCumulative;

    public BasketAssembler(bool drift, FraudMechanismKind mechanism = FraudMechanismKind.Retail)
    {
        _drift = drift;
        _mechanism = mechanism;
        _catalogue = Catalogue.For(mechanism);
        var categories = _catalogue.Categories;
        _anchorCumulative = Cumulative(categories.Length, c => categories[c].Role == CategoryRole.Anchor ? Weight(categories[c]) : 0);
        _extraCumulative = Cumulative(categories.Length, c => categories[c].Role is CategoryRole.Anchor or CategoryRole.Accessory ? Math.Max(Weight(categories[c]), 0.5) : 0);
        _cheapCumulative = Cumulative(categories.Length, c => categories[c].Role == CategoryRole.Accessory && categories[c].Resale <= 0.2 ? 1 : 0);
        _productCumulative = new double[categories.Length][];
        for (var c = 0; c < categories.Length; c++)
        {
            var products = _catalogue.ByCategory[c];
            _productCumulative[c] = Cumulative(products.Length, p => Popularity(products[p]));
        }
    }

    /// <summary>Fills <paramref name="lines"/> and returns how many it used (1 to 24).</summary>
    public int Assemble(ref Xoshiro256 rng, Span<BasketLine> lines)
    {
        var target = rng.Pick(_drift ? DriftLineCountCumulative : _mechanism == FraudMechanismKind.Stuffing ? StuffingLineCountCumulative : LineCountCumulative) + 1;
        var count = 0;
        var anchor = PickProduct(ref rng, rng.Pick(_anchorCumulative));
        count = AddLine(ref rng, lines, count, anchor);

        var anchorCategory = anchor.Category;
        var valuable = anchor.BasePrice >= 150 * _catalogue.PriceLevel;
        var bulky = anchorCategory.Name.Contains("FURNITURE", StringComparison.Ordinal) || anchorCategory.Name == "HOUSEHOLD APPLIANCES";

        // Add-ons that come with the anchor, when the basket has room for them.
        if (count < target && valuable && rng.Chance(anchor.Resale > 0.5 ? 0.35 : 0.45))
        {
            count = AddLine(ref rng, lines, count, PickWarranty(ref rng, anchor));
        }

        // The drifted population has more of its goods delivered rather than collected.
        if (count < target && rng.Chance(bulky ? 0.8 : _drift ? 0.6 : 0.4))
        {
            count = AddLine(ref rng, lines, count, PickProduct(ref rng, _catalogue.Fulfilment));
        }

        if (count < target && (bulky || anchorCategory.Name.StartsWith("TELEVISIONS", StringComparison.Ordinal)) && rng.Chance(0.25))
        {
            count = AddLine(ref rng, lines, count, PickProduct(ref rng, _catalogue.Service));
        }

        var guard = 0;
        while (count < target && guard++ < 100)
        {
            var roll = rng.NextDouble();
            Product next;
            if (_mechanism == FraudMechanismKind.Stuffing && roll < 0.5)
            {
                // The stuffing population fills long baskets with small accessories (cables, cases, linen, kitchenware).
                next = PickProduct(ref rng, rng.Pick(_cheapCumulative));
            }
            else if (roll < 0.45)
            {
                next = PickProduct(ref rng, RelatedCategory(ref rng, anchorCategory));
            }
            else if (roll < 0.6)
            {
                next = PickProduct(ref rng, _catalogue.IndexOf(anchorCategory));
            }
            else
            {
                next = PickProduct(ref rng, rng.Pick(_extraCumulative));
            }

            count = AddLine(ref rng, lines, count, next);
        }

        return count;
    }

    private int AddLine(ref Xoshiro256 rng, Span<BasketLine> lines, int count, Product product)
    {
        var quantity = DrawQuantity(ref rng, product);
        for (var i = 0; i < count; i++)
        {
            if (ReferenceEquals(lines[i].Product, product))
            {
                lines[i].Quantity += quantity;
                return count;
            }
        }

        if (count == Basket.MaxItems)
        {
            return count;
        }

        lines[count] = new BasketLine
        {
            Product = product,
            Price = DrawPrice(ref rng, product),
            Quantity = quantity,
            Category = DrawSpelling(ref rng, product.Category),
        };
        return count + 1;
    }

    private Product PickWarranty(ref Xoshiro256 rng, Product anchor)
    {
        var warranties = _catalogue.ByCategory[_catalogue.Warranty];
        if (anchor.Family == "APPLE" && rng.Chance(0.5))
        {
            var name = anchor.Category.Name == "COMPUTERS" ? "APPLECARE PLUS FOR MAC" : "APPLECARE PLUS FOR IPHONE";
            return Array.Find(warranties, w => w.Key == name)!;
        }

        // Dearer anchors get longer plans.
        var plan = (anchor.BasePrice / _catalogue.PriceLevel) switch
        {
            < 400 => 0,
            < 1000 => rng.Chance(0.5) ? 1 : 0,
            _ => rng.Chance(0.5) ? 2 : 1,
        };
        return warranties[plan];
    }

    private int RelatedCategory(ref Xoshiro256 rng, ProductCategory anchor)
    {
        string[] related = anchor.Name switch
        {
            "COMPUTERS" => ["COMPUTER PERIPHERALS ACCESSORIES", "COMPUTER SOFTWARE", "POWER CABLES ADAPTERS", "AUDIO ACCESSORIES", "PHONE CASES SCREEN PROTECTION"],
            "TELEPHONES FAX MACHINES TWO-WAY RADIOS" => ["PHONE CASES SCREEN PROTECTION", "POWER CABLES ADAPTERS", "AUDIO ACCESSORIES", "WEARABLE TECHNOLOGY"],
            "TELEVISIONS HOME CINEMA" => ["TELEVISIONS HOME CINEMA", "POWER CABLES ADAPTERS", "GAMING", "AUDIO ACCESSORIES"],
            "GAMING" => ["GAMING", "TELEVISIONS HOME CINEMA", "AUDIO ACCESSORIES"],
            "WEARABLE TECHNOLOGY" => ["POWER CABLES ADAPTERS", "AUDIO ACCESSORIES", "TELEPHONES FAX MACHINES TWO-WAY RADIOS"],
            "CAMERAS PHOTOGRAPHY" => ["CAMERAS PHOTOGRAPHY", "COMPUTER PERIPHERALS ACCESSORIES", "POWER CABLES ADAPTERS"],
            "BEDROOM FURNITURE" => ["BEDROOM FURNITURE", "BED LINEN", "LIGHTING"],
            "LIVING DINING FURNITURE" => ["LIVING DINING FURNITURE", "LIGHTING", "TELEVISIONS HOME CINEMA"],
            "GARDEN FURNITURE" => ["GARDEN FURNITURE", "LIGHTING"],
            "HOUSEHOLD APPLIANCES" => ["SMALL KITCHEN APPLIANCES", "COOKWARE", "KITCHEN ACCESSORIES"],
            "SMALL KITCHEN APPLIANCES" => ["COOKWARE", "KITCHEN ACCESSORIES", "SMALL KITCHEN APPLIANCES"],
            "BABY CHILD TRAVEL" => ["BABY CHILD TRAVEL", "TOYS", "BED LINEN"],
            _ => [anchor.Name],
        };
        var name = related[rng.NextInt(related.Length)];
        return Array.FindIndex(_catalogue.Categories, c => c.Name == name);
    }

    private Product PickProduct(ref Xoshiro256 rng, int category) =>
        _catalogue.ByCategory[category][rng.Pick(_productCumulative[category])];

    private int DrawQuantity(ref Xoshiro256 rng, Product product)
    {
        if (product.Category.Role is CategoryRole.Warranty or CategoryRole.Fulfilment or CategoryRole.Service)
        {
            return 1;
        }

        // Cheap things come in twos and threes more often than dear ones. The reseller population buys several
        // units of one thing twice as often (most of it innocently: gifts, households, small businesses).
        var basePrice = product.BasePrice / _catalogue.PriceLevel;
        var multi = (basePrice < 60 ? 0.12 : basePrice < 300 ? 0.05 : 0.025) * (_drift ? 2.5 : 1) * (_mechanism == FraudMechanismKind.Reseller ? 2 : 1);
        if (!rng.Chance(multi))
        {
            return 1;
        }

        var roll = rng.NextDouble();
        return roll < 0.75 ? 2 : roll < 0.92 ? 3 : 4 + rng.NextInt(3);
    }

    private double DrawPrice(ref Xoshiro256 rng, Product product)
    {
        var price = product.BasePrice * (_drift ? DriftPriceFactor(product) : 1);
        if (price <= 0)
        {
            return 0;
        }

        // Retailer noise and the odd promotion; whole units of the catalogue's currency, as in the challenge data
        // (the stuffing catalogue prices in cents' precision: two decimals).
        price *= Math.Exp(0.05 * rng.NextGaussian());
        if (rng.Chance(0.1))
        {
            price *= 0.8 + (0.15 * rng.NextDouble());
        }

        return _catalogue.CentPrices ? Math.Max(0.01, Math.Round(price, 2)) : Math.Max(1, Math.Round(price));
    }

    // Price inflation of 20% across the board, 30% on the electronics that hold their value (prices are per catalogue).
    private static double DriftPriceFactor(Product product) =>
        product.Category.Role == CategoryRole.Anchor && product.Resale >= 0.6 ? 1.30 : 1.20;

    private static string DrawSpelling(ref Xoshiro256 rng, ProductCategory category) =>
        category.Variants.Length > 0 && rng.Chance(0.04) ? category.Variants[rng.NextInt(category.Variants.Length)] : category.Name;

    private double Weight(ProductCategory category) => _drift ? category.DriftWeight : category.Weight;

    private double Popularity(Product product)
    {
        if (!_drift)
        {
            return product.Popularity;
        }

        // The drifted population buys newer, dearer models (larger variants gain share) and shops around: Apple loses share.
        return product.Popularity * (product.BasePrice / _catalogue.PriceLevel > 800 ? 1.6 : 1.0) * (product.Family == "APPLE" ? 0.6 : 1.0);
    }

    private static double[] Cumulative(int count, Func<int, double> weight)
    {
        var cumulative = new double[count];
        double sum = 0;
        for (var i = 0; i < count; i++)
        {
            sum += weight(i);
            cumulative[i] = sum;
        }

        return cumulative;
    }

    private static double[] BuildLineCounts(double[] head, double tailShare)
    {
        var cumulative = new double[Basket.MaxItems];
        double sum = 0, tail = tailShare * 0.2;
        for (var i = 0; i < Basket.MaxItems; i++)
        {
            sum += i < head.Length ? head[i] : tail * Math.Pow(0.8, i - head.Length);
            cumulative[i] = sum;
        }

        return cumulative;
    }
}
