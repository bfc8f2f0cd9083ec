namespace Fraud.Baskets;

/// <summary>
/// Three fraud mechanisms that differ in kind from each other and from the retail mixture in
/// <see cref="FraudMechanism"/>: what makes a basket risky is a different part of its structure in each. Like the
/// retail one they read only the basket (and the hidden resale value of its goods); prices are converted back to the
/// base catalogue's level, so a catalogue variant's currency changes the data, not the rule.
/// The intercepts put each mechanism's fraud rate near the retail one (about 1.4 %).
/// </summary>
internal static class OtherMechanisms
{
    public const double ResellerIntercept = -5.13;
    public const double StolenIdentityIntercept = -4.98;
    public const double StuffingIntercept = -4.74;

    /// <summary>
    /// Several units of goods that sell on easily. Risk grows with the extra units of resellable lines (saturating), with
    /// the resale value those extra units carry, and when more than one resellable line is multiplied; cover lowers it.
    /// A single unit of anything, however dear, adds little.
    /// </summary>
    public static double Reseller(ReadOnlySpan<BasketLine> lines, double priceLevel)
    {
        double extraUnits = 0, extraValue = 0, resaleValue = 0;
        int multipliedResellable = 0;
        var warranty = false;
        foreach (ref readonly var line in lines)
        {
            var product = line.Product;
            var price = line.Price / priceLevel;
            warranty |= product.Category.Role == CategoryRole.Warranty;
            resaleValue += price * line.Quantity * product.Resale;
            if (line.Quantity >= 2 && product.Resale >= 0.45)
            {
                extraUnits += (line.Quantity - 1) * product.Resale;
                extraValue += (line.Quantity - 1) * price * product.Resale;
                multipliedResellable++;
            }
        }

        var z = ResellerIntercept;
        z += 2.8 * (1 - Math.Exp(-extraUnits / 1.2));
        z += 1.6 * Sigmoid(2.0 * (Math.Log(1 + extraValue) - Math.Log(400)));
        z += multipliedResellable >= 2 ? 0.8 : 0;
        z += 0.7 * Sigmoid(1.5 * (Math.Log(1 + resaleValue) - Math.Log(1500)));
        z -= warranty ? 0.9 : 0;
        return Sigmoid(z);
    }

    /// <summary>
    /// One dear, resellable item, delivered, on someone else's identity: the risk is in a basket with a single main line
    /// whose price is high, sent out rather than collected, without cover or services. More main lines or several
    /// units make it less likely (the fraudster takes one thing and goes).
    /// </summary>
    public static double StolenIdentity(ReadOnlySpan<BasketLine> lines, double priceLevel)
    {
        int mainLines = 0, units = 0;
        double topPrice = 0, topResale = 0;
        bool fulfilment = false, warranty = false, service = false, fastDelivery = false;
        foreach (ref readonly var line in lines)
        {
            var product = line.Product;
            switch (product.Category.Role)
            {
                case CategoryRole.Warranty: warranty = true; continue;
                case CategoryRole.Service: service = true; continue;
                case CategoryRole.Fulfilment:
                    fulfilment = true;
                    fastDelivery |= line.Price > 0;
                    continue;
                default: break;
            }

            mainLines++;
            units += line.Quantity;
            var price = line.Price / priceLevel;
            if (price > topPrice)
            {
                (topPrice, topResale) = (price, product.Resale);
            }
        }

        var z = StolenIdentityIntercept;
        var dear = Sigmoid(4.0 * (Math.Log(1 + topPrice) - Math.Log(1200)));
        var single = mainLines == 1 && units == 1;
        z += (single ? 4.0 : 0.8) * dear * (0.1 + (0.9 * topResale));
        z += fulfilment ? (dear > 0.5 ? 1.6 : 0) : -0.8;
        z += fastDelivery && single ? 0.7 : 0;
        z -= mainLines >= 3 ? 1.0 : 0;
        z -= warranty ? 1.2 : 0;
        z -= service ? 0.8 : 0;
        return Sigmoid(z);
    }

    /// <summary>
    /// Many low-value lines: risk rises with the number of cheap lines beyond a handful (each one a small amount that
    /// raises no alarm) and with how many different categories they come from; one dear item anchoring the basket, or a
    /// service booking, is what a genuine big basket has.
    /// </summary>
    public static double Stuffing(ReadOnlySpan<BasketLine> lines, double priceLevel)
    {
        int cheapLines = 0, dearLines = 0;
        var service = false;
        Span<bool> categories = stackalloc bool[Catalogue.Instance.Categories.Length];
        var cheapCategories = 0;
        double total = 0;
        foreach (ref readonly var line in lines)
        {
            var product = line.Product;
            var price = line.Price / priceLevel;
            total += price * line.Quantity;
            service |= product.Category.Role == CategoryRole.Service;
            if (product.Category.Role is CategoryRole.Warranty or CategoryRole.Fulfilment or CategoryRole.Service)
            {
                continue;
            }

            if (price < 120)
            {
                cheapLines++;
                var c = Catalogue.Instance.IndexOf(product.Category);
                if (!categories[c])
                {
                    categories[c] = true;
                    cheapCategories++;
                }
            }
            else if (price >= 400)
            {
                dearLines++;
            }
        }

        var z = StuffingIntercept;
        z += 4.5 * Sigmoid(1.1 * (cheapLines - 4.5));
        z += cheapCategories >= 3 ? 0.7 : 0;
        z += total is >= 150 and <= 900 ? 0.5 : 0;
        z -= dearLines > 0 ? 0.9 : 0;
        z -= service ? 0.7 : 0;
        return Sigmoid(z);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
