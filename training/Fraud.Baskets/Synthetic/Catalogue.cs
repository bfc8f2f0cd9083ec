using System.Globalization;

namespace Fraud.Baskets;

/// <summary>
/// The fixed product catalogue the generator draws from: about 25 categories and a few hundred products,
/// modelled on a UK electronics and home retailer (upper-case model names, numeric goods codes,
/// Apple-heavy computers). It is the same for every seed; only the draws from it depend on the seed.
/// </summary>
internal sealed partial class Catalogue
{
    private readonly List<Product> _products = [];
    private readonly List<ProductCategory> _categories = [];

    private Catalogue()
        : this(static c => c.Build(), priceLevel: 1, centPrices: false)
    {
    }

    // A variant of the base catalogue: the same goods (and hidden properties) sold under other makes, model names,
    // goods-code formats and price levels, as another retailer's export of them would look.
    private Catalogue(Catalogue source, CatalogueVariant variant)
        : this(c => c.CopyRenamed(source, variant), variant.PriceLevel, variant.CentPrices)
    {
    }

    // Both catalogues: fill the product and category lists, then index them.
    private Catalogue(Action<Catalogue> fill, double priceLevel, bool centPrices)
    {
        fill(this);
        PriceLevel = priceLevel;
        CentPrices = centPrices;
        Products = [.. _products];
        Categories = [.. _categories];
        ByCategory = new Product[Categories.Length][];
        for (var c = 0; c < Categories.Length; c++)
        {
            ByCategory[c] = [.. _products.Where(p => p.Category == Categories[c])];
        }

        Warranty = Find("WARRANTY");
        Fulfilment = Find("FULFILMENT CHARGE");
        Service = Find("SERVICE");
    }

    public static Catalogue Instance { get; } = new();

    /// <summary>Prices of this catalogue relative to the base catalogue's (its currency and positioning).</summary>
    public double PriceLevel { get; }

    /// <summary>Prices carry two decimals instead of whole units.</summary>
    public bool CentPrices { get; }

    /// <summary>The catalogue a mechanism's baskets are drawn from: the base one for retail, a variant of it for the others.</summary>
    public static Catalogue For(FraudMechanismKind mechanism) => mechanism switch
    {
        FraudMechanismKind.Reseller => Variants.Reseller,
        FraudMechanismKind.StolenIdentity => Variants.StolenIdentity,
        FraudMechanismKind.Stuffing => Variants.Stuffing,
        _ => Instance,
    };

    // Built on first use, after the base catalogue (a nested class's statics start when it is first touched).
    private static class Variants
    {
        public static readonly Catalogue Reseller = new(Instance, CatalogueVariant.Reseller);
        public static readonly Catalogue StolenIdentity = new(Instance, CatalogueVariant.StolenIdentity);
        public static readonly Catalogue Stuffing = new(Instance, CatalogueVariant.Stuffing);
    }

    public Product[] Products { get; }

    public ProductCategory[] Categories { get; }

    /// <summary>Products of <c>Categories[c]</c>.</summary>
    public Product[][] ByCategory { get; }

    public int Warranty { get; }

    public int Fulfilment { get; }

    public int Service { get; }

    public int IndexOf(ProductCategory category) => Array.IndexOf(Categories, category);

    private int Find(string name) => _categories.FindIndex(c => c.Name == name);

    private void CopyRenamed(Catalogue source, CatalogueVariant variant)
    {
        _categories.AddRange(source.Categories);
        foreach (var product in source.Products)
        {
            _products.Add(variant.Rename(product));
        }
    }

    private ProductCategory Category(string name, CategoryRole role, double weight, double driftWeight, double resale, params string[] variants)
    {
        var category = new ProductCategory(name, role, weight, driftWeight, resale) { Variants = variants };
        _categories.Add(category);
        return category;
    }

    private void Add(ProductCategory category, string make, string model, double price, double popularity = 1, double? resale = null, bool hot = false)
    {
        var code = GoodsCodeFor(category, model);
        _products.Add(new Product(_products.Count, category, make, model, code, price, popularity, resale ?? category.Resale, hot));
    }

    // Storage or size variants of one model, each step dearer and less popular than the last.
    private void AddSizes(ProductCategory category, string make, string model, double price, string[] sizes, double step, double popularity = 1, double? resale = null, int hotFrom = int.MaxValue)
    {
        for (var i = 0; i < sizes.Length; i++)
        {
            Add(category, make, $"{model} {sizes[i]}", price + (step * i), popularity / (1 + i), resale, hot: i >= hotFrom);
        }
    }

    // Retail goods codes are 9-digit numbers; derived from the name so the catalogue never depends on a seed.
    private static string GoodsCodeFor(ProductCategory category, string model)
    {
        if (category.Role == CategoryRole.Fulfilment)
        {
            return "FULFILMENT";
        }

        var hash = 2166136261u;
        foreach (var c in model)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (200_000_000 + (hash % 50_000_000)).ToString(CultureInfo.InvariantCulture);
    }
}
