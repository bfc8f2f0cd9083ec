using Fraud.Baskets;

namespace Fraud.Model.Drift;

/// <summary>
/// The basket-level input signals of the drift check, computed the same way for the reference and for current
/// traffic. Basket signals come one per basket; line signals (unit price, quantity) one per line.
/// </summary>
public sealed class InputSignals
{
    public const string UnitPrice = "line_unit_price";
    public const string Quantity = "line_quantity";
    public const string Lines = "basket_lines";
    public const string Units = "basket_units";
    public const string Total = "basket_total_amount";
    public const string MaxUnitPrice = "basket_max_unit_price";
    public const string DistinctCategories = "basket_distinct_categories";
    public const string HasWarranty = "basket_has_warranty";
    public const string HasFulfilment = "basket_has_fulfilment";
    public const string GoodsCodeUnseen = "goods_code_unseen";

    /// <summary>Numeric signals in column order: the two line signals first, then the basket signals.</summary>
    public static readonly string[] NumericNames = [UnitPrice, Quantity, Lines, Units, Total, MaxUnitPrice, DistinctCategories, HasWarranty, HasFulfilment];

    private const int LineSignals = 2;
    private readonly double[][] _columns;

    private InputSignals(double[][] columns) => _columns = columns;

    /// <summary>Values of signal <paramref name="index"/> (of <see cref="NumericNames"/>); the caller may sort it.</summary>
    public double[] Column(int index) => _columns[index];

    /// <summary>Computes every numeric signal of <paramref name="baskets"/> into flat columns.</summary>
    public static InputSignals Compute(IReadOnlyList<Basket> baskets)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var lines = 0;
        foreach (var basket in baskets)
        {
            lines += basket.Items.Count;
        }

        var columns = new double[NumericNames.Length][];
        for (var s = 0; s < columns.Length; s++)
        {
            columns[s] = new double[s < LineSignals ? lines : baskets.Count];
        }

        var line = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var b = 0; b < baskets.Count; b++)
        {
            var items = baskets[b].Items;
            double total = 0, max = 0, units = 0;
            bool warranty = false, fulfilment = false;
            seen.Clear();
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                columns[0][line] = item.CashPrice;
                columns[1][line++] = item.Quantity;
                total += item.Amount;
                units += item.Quantity;
                max = Math.Max(max, item.CashPrice);
                var category = Fraud.Baskets.Categories.Normalize(item.Item);
                seen.Add(category);

                // Retailers spell these lines many ways; the words themselves survive normalisation.
                warranty |= category.Contains("WARRANTY", StringComparison.Ordinal);
                fulfilment |= category.Contains("FULFILMENT", StringComparison.Ordinal) || category.Contains("DELIVERY", StringComparison.Ordinal);
            }

            columns[2][b] = items.Count;
            columns[3][b] = units;
            columns[4][b] = total;
            columns[5][b] = max;
            columns[6][b] = seen.Count;
            columns[7][b] = warranty ? 1 : 0;
            columns[8][b] = fulfilment ? 1 : 0;
        }

        return new InputSignals(columns);
    }
}
