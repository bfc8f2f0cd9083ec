using Fraud.Baskets;

namespace Fraud.Model.Features;

/// <summary>
/// The sparse description of one basket line that <see cref="LineRiskModel"/> weighs: what the item is (category,
/// make, category and make together, model name, goods code, model-name words), how dear it is (price band, alone
/// and per category and make) and how many were bought (log2 quantity, alone and per category, make and price
/// band). Each key is a stable 64-bit FNV-1a hash of a kind tag and the upper-cased text, so scoring hashes spans
/// and never builds a string.
/// </summary>
internal static class LineKeys
{
    /// <summary>Most model-name words a line contributes (names are at most 256 characters; real ones have ~10 words).</summary>
    public const int MaxWords = 48;

    /// <summary>Room a caller must give <c>Collect</c> for one line.</summary>
    public const int MaxKeysPerLine = 15 + MaxWords;

    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    private enum Kind : byte
    {
        Line = 1,
        Category,
        Make,
        CategoryMake,
        Model,
        GoodsCode,
        Word,
        PriceBand,
        CategoryPriceBand,
        MakePriceBand,
        Quantity,
        CategoryQuantity,
        MakeQuantity,
        PriceBandQuantity,
        ModelQuantity,
        BasketLines,
        BasketTotalBand,
        BasketUnits,
    }

    /// <summary>Room a caller must give <see cref="CollectBasket(int, int, double, Span{ulong}, Span{float})"/>.</summary>
    public const int MaxBasketKeys = 3;

    /// <summary>
    /// Keys of the basket as a whole, which the line model adds outside its soft maximum: how many lines and units
    /// and how much money. Without them every extra line could only raise the basket's score.
    /// </summary>
    public static int CollectBasket(int lines, int units, double total, Span<ulong> keys, Span<float> values)
    {
        keys[0] = Int(Start(Kind.BasketLines), Math.Min(lines, 12));
        keys[1] = Int(Start(Kind.BasketUnits), Math.Min(units, 16));
        keys[2] = Int(Start(Kind.BasketTotalBand), PriceBand(total));
        values[..MaxBasketKeys].Fill(1);
        return MaxBasketKeys;
    }

    /// <summary>The basket keys from the basket itself, counting units and money as the featurizer does.</summary>
    public static int CollectBasket(Basket basket, Span<ulong> keys, Span<float> values)
    {
        var units = 0;
        double total = 0;
        foreach (var item in basket.Items)
        {
            var quantity = Math.Max(1, item.Quantity);
            units += quantity;
            total += Price(item) * quantity;
        }

        return CollectBasket(basket.Items.Count, units, total, keys, values);
    }

    /// <summary>A line's price as the featurizer reads it: non-finite or negative prices count as 0.</summary>
    public static double Price(BasketItem item) => double.IsFinite(item.CashPrice) && item.CashPrice > 0 ? item.CashPrice : 0;

    /// <summary>The keys of <paramref name="item"/>, normalising its fields first (fitting and explanations).</summary>
    public static int Collect(BasketItem item, int minTokenLength, Span<ulong> keys, Span<float> values)
    {
        Span<char> categoryBuffer = stackalloc char[TextKeys.MaxKeyLength];
        var category = categoryBuffer[..TextKeys.NormalizeCategory(item.Item, categoryBuffer)];
        return Collect(
            category,
            TextKeys.Trim(item.Make),
            TextKeys.Trim(item.Model),
            TextKeys.Trim(item.GoodsCode),
            Price(item),
            Math.Max(1, item.Quantity),
            minTokenLength,
            keys,
            values);
    }

    /// <summary>
    /// Writes the keys of a line whose fields are already normalised (category key, trimmed make, model and goods
    /// code, price as <see cref="Price"/>, quantity at least 1) into <paramref name="keys"/> and
    /// <paramref name="values"/> (each at least <see cref="MaxKeysPerLine"/> long) and returns how many there are.
    /// The featurizer calls this with the spans it has already normalised for the encodings.
    /// </summary>
    public static int Collect(
        ReadOnlySpan<char> category,
        ReadOnlySpan<char> make,
        ReadOnlySpan<char> model,
        ReadOnlySpan<char> goods,
        double price,
        int quantity,
        int minTokenLength,
        Span<ulong> keys,
        Span<float> values)
    {
        var band = PriceBand(price);
        var n = 0;

        void Put(ulong key, float value, Span<ulong> k, Span<float> v)
        {
            k[n] = key;
            v[n] = value;
            n++;
        }

        var categoryHash = Text(Start(Kind.Category), category);
        var makeHash = Text(Start(Kind.Make), make);
        Put(Start(Kind.Line), 1, keys, values);
        Put(Int(Start(Kind.PriceBand), band), 1, keys, values);
        if (!category.IsEmpty)
        {
            Put(categoryHash, 1, keys, values);
            Put(Int(Text(Start(Kind.CategoryPriceBand), category), band), 1, keys, values);
        }

        if (!make.IsEmpty)
        {
            Put(makeHash, 1, keys, values);
            Put(Int(Text(Start(Kind.MakePriceBand), make), band), 1, keys, values);
            Put(Text(Int(Text(Start(Kind.CategoryMake), category), -1), make), 1, keys, values);
        }

        if (!model.IsEmpty)
        {
            Put(Text(Start(Kind.Model), model), 1, keys, values);
            if (quantity > 1)
            {
                Put(Text(Start(Kind.ModelQuantity), model), (float)Math.Log2(quantity), keys, values);
            }
        }

        if (!goods.IsEmpty)
        {
            Put(Text(Start(Kind.GoodsCode), goods), 1, keys, values);
        }

        if (quantity > 1)
        {
            // Several units of one item: the value grows with log2 of the count, per kind of item and price.
            var units = (float)Math.Log2(quantity);
            Put(Start(Kind.Quantity), units, keys, values);
            Put(Int(Start(Kind.PriceBandQuantity), band), units, keys, values);
            if (!category.IsEmpty)
            {
                Put(Text(Start(Kind.CategoryQuantity), category), units, keys, values);
            }

            if (!make.IsEmpty)
            {
                Put(Text(Start(Kind.MakeQuantity), make), units, keys, values);
            }
        }

        var position = 0;
        var words = 0;
        while (words < MaxWords && TextKeys.NextToken(model, ref position, minTokenLength, out var word))
        {
            Put(Text(Start(Kind.Word), word), 1, keys, values);
            words++;
        }

        return n;
    }

    /// <summary>Half-octave price bands: 2·floor-ish(log2 price), so neighbouring bands differ by a factor of √2.</summary>
    internal static int PriceBand(double price) => price < 1 ? 0 : (int)Math.Floor(2 * Math.Log2(price));

    private static ulong Start(Kind kind) => (Offset ^ (byte)kind) * Prime;

    private static ulong Text(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ char.ToUpperInvariant(c)) * Prime;
        }

        return hash;
    }

    private static ulong Int(ulong hash, int value)
    {
        var v = (uint)value;
        for (var i = 0; i < 4; i++)
        {
            hash = (hash ^ (v & 0xFF)) * Prime;
            v >>= 8;
        }

        return hash;
    }
}
