using System.Globalization;
using System.Text;

namespace Fraud.Baskets;

/// <summary>
/// How another retailer would export the base catalogue's goods: invented makes and product-line names (derived
/// from the base names by a seeded hash, so every variant is fixed), its own goods-code format and its own price
/// level. Sizes and numbers in model names (256GB, 15, M2) survive, as they do across real retailers. A model fitted
/// to one variant can therefore only carry over what is basket structure, never a spelling.
/// </summary>
internal sealed class CatalogueVariant
{
    private static readonly string Consonants = "BDFGKLMNPRSTVZ";
    private static readonly string Vowels = "AEIOU";

    private readonly uint _salt;
    private readonly Func<string, uint, string> _goodsCode;
    private readonly Func<string, string, string> _modelName;
    private readonly string _fulfilmentCode;

    private CatalogueVariant(uint salt, double priceLevel, bool centPrices, Func<string, uint, string> goodsCode, Func<string, string, string> modelName, string fulfilmentCode)
    {
        _salt = salt;
        PriceLevel = priceLevel;
        CentPrices = centPrices;
        _goodsCode = goodsCode;
        _modelName = modelName;
        _fulfilmentCode = fulfilmentCode;
    }

    /// <summary>A continental retailer: prices 15 % higher, codes like <c>RX-4F2A9C</c>, make first in the name.</summary>
    public static CatalogueVariant Reseller { get; } = new(
        0x5EED_0001, 1.15, centPrices: false,
        (_, h) => string.Create(CultureInfo.InvariantCulture, $"RX-{h & 0xFFFFFF:X6}"),
        (make, rest) => $"{make} {rest}",
        "DLV-STD");

    /// <summary>A Nordic retailer: prices about ten times the base level (another currency), 13-digit EAN codes, make last.</summary>
    public static CatalogueVariant StolenIdentity { get; } = new(
        0x5EED_0002, 9.6, centPrices: false,
        (_, h) => string.Create(CultureInfo.InvariantCulture, $"73{h % 100_000_000_000UL:D11}"),
        (make, rest) => $"{rest} ({make})",
        string.Empty);

    /// <summary>An online marketplace: prices 20 % lower with pence, codes like <c>SKU04711-K</c>, names in title case.</summary>
    public static CatalogueVariant Stuffing { get; } = new(
        0x5EED_0003, 0.8, centPrices: true,
        (_, h) => string.Create(CultureInfo.InvariantCulture, $"SKU{h % 100_000:D5}-{(char)('A' + (h >> 20) % 26)}"),
        (make, rest) => TitleCase($"{make} {rest}"),
        "SHIPPING");

    public double PriceLevel { get; }

    public bool CentPrices { get; }

    public Product Rename(Product product)
    {
        var make = Word(product.Make, 3);
        var words = product.Model.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var rest = new List<string>(words.Length);
        foreach (var word in words)
        {
            if (string.Equals(word, product.Make, StringComparison.Ordinal))
            {
                continue;
            }

            // Product-line words (IPHONE, MACBOOK, GALAXY) become this retailer's own; numbers, sizes and short
            // words (PRO, MAX, 256GB, M2) stay.
            rest.Add(word.Length >= 4 && word.All(char.IsAsciiLetter) && !Generic.Contains(word) ? Word(word, 3) : word);
        }

        var model = _modelName(make, string.Join(' ', rest));
        var code = product.Category.Role == CategoryRole.Fulfilment ? _fulfilmentCode : _goodsCode(model, Hash(product.Key));
        return product with
        {
            Make = make,
            Model = model,
            GoodsCode = code,
            BasePrice = product.BasePrice * PriceLevel,
            Key = product.Key,
            Family = product.Family,
        };
    }

    // Words every retailer uses; renaming them would make the variants less alike than real retailers are.
    private static readonly HashSet<string> Generic = new(StringComparer.Ordinal)
    {
        "WITH", "WIRELESS", "LAPTOP", "SMART", "PLUS", "ULTRA", "CASE", "CABLE", "DELIVERY", "YEAR", "PLAN", "CARE",
    };

    private uint Hash(string text)
    {
        var hash = 2166136261u ^ _salt;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash ^ (hash >> 15);
    }

    // A pronounceable invented word of the given number of syllables, fixed by the text and the variant.
    private string Word(string text, int syllables)
    {
        var h = Hash(text);
        var builder = new StringBuilder(syllables * 2);
        for (var i = 0; i < syllables; i++)
        {
            builder.Append(Consonants[(int)(h % (uint)Consonants.Length)]);
            h /= (uint)Consonants.Length;
            builder.Append(Vowels[(int)(h % (uint)Vowels.Length)]);
            h /= (uint)Vowels.Length;
            if (h < 64)
            {
                h = Hash(builder.ToString());
            }
        }

        return builder.ToString();
    }

    private static string TitleCase(string text)
    {
        var chars = text.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 0 || chars[i - 1] == ' ')
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }
}
