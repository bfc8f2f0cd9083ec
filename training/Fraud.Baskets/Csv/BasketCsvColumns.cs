namespace Fraud.Baskets;

/// <summary>The challenge file layout: 146 feature columns, and the label columns.</summary>
public static class BasketCsvColumns
{
    public const string Id = "ID";
    public const string Item = "item";
    public const string CashPrice = "cash_price";
    public const string Make = "make";
    public const string Model = "model";
    public const string GoodsCode = "goods_code";
    public const string Quantity = "Nbr_of_prod_purchas";
    public const string ItemCount = "Nb_of_items";
    public const string FraudFlag = "fraud_flag";

    /// <summary>Per-slot column prefixes, in file order.</summary>
    internal static readonly string[] SlotPrefixes = [Item, CashPrice, Make, Model, GoodsCode, Quantity];

    /// <summary>The 146 feature column names in the order the challenge files use.</summary>
    public static IReadOnlyList<string> FeatureColumns { get; } = BuildFeatureColumns();

    /// <summary>The column name of slot <paramref name="slot"/> (1-based) for a per-slot prefix.</summary>
    public static string SlotColumn(string prefix, int slot) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}{slot}");

    private static string[] BuildFeatureColumns()
    {
        var names = new List<string>(2 + (SlotPrefixes.Length * Basket.MaxItems)) { Id };
        foreach (var prefix in SlotPrefixes)
        {
            for (var slot = 1; slot <= Basket.MaxItems; slot++)
            {
                names.Add(SlotColumn(prefix, slot));
            }
        }

        names.Add(ItemCount);
        return [.. names];
    }
}
