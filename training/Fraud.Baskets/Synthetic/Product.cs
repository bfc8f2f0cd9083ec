namespace Fraud.Baskets;

/// <summary>What role a category plays in a basket; drives both basket assembly and the fraud mechanism.</summary>
internal enum CategoryRole
{
    /// <summary>A main purchase a basket is built around (a laptop, a sofa).</summary>
    Anchor,

    /// <summary>Bought alongside an anchor (cables, cases, headphones).</summary>
    Accessory,

    /// <summary>An extended warranty for another item.</summary>
    Warranty,

    /// <summary>A delivery or fulfilment charge.</summary>
    Fulfilment,

    /// <summary>Installation, set-up and similar services.</summary>
    Service,
}

/// <summary>A product category: its display spelling, role and how often it leads a basket.</summary>
internal sealed record ProductCategory(string Name, CategoryRole Role, double Weight, double DriftWeight, double Resale)
{
    /// <summary>Spellings seen in exports for the same category (the reader normalises them).</summary>
    public string[] Variants { get; init; } = [];
}

/// <summary>
/// One catalogue product. <see cref="Resale"/> (0..1) is how easily it turns into cash: hidden from the data.
/// <see cref="Key"/> and <see cref="Family"/> are the base catalogue's model name and make, which a catalogue variant
/// renames in the data but the generator still uses to recognise a product (AppleCare for Apple goods).
/// </summary>
internal sealed record Product(
    int Index,
    ProductCategory Category,
    string Make,
    string Model,
    string GoodsCode,
    double BasePrice,
    double Popularity,
    double Resale,
    bool Hot)
{
    public string Key { get; init; } = Model;

    public string Family { get; init; } = Make;
}
