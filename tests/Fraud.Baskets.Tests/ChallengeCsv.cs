using System.Text;

namespace Fraud.Baskets.Tests;

/// <summary>Builds challenge-format CSV text by hand, independently of the writer under test.</summary>
internal static class ChallengeCsv
{
    private static readonly string[] Prefixes = ["item", "cash_price", "make", "model", "goods_code", "Nbr_of_prod_purchas"];

    public static string Header(string? leading = null, bool withFlag = false)
    {
        var names = new List<string>();
        if (leading is not null)
        {
            names.Add(leading);
        }

        names.Add("ID");
        foreach (var prefix in Prefixes)
        {
            for (var slot = 1; slot <= 24; slot++)
            {
                names.Add(prefix + slot);
            }
        }

        names.Add("Nb_of_items");
        if (withFlag)
        {
            names.Add("fraud_flag");
        }

        return string.Join(',', names);
    }

    /// <summary>One row; each slot is (item, price, make, model, goods code, quantity) as raw CSV cells.</summary>
    public static string Row(string id, string count, params Slot[] slots) => Row(null, id, count, null, slots);

    public static string Row(string? leading, string id, string count, string? flag, params Slot[] slots)
    {
        var cells = new string[6, 24];
        for (var p = 0; p < 6; p++)
        {
            for (var s = 0; s < 24; s++)
            {
                cells[p, s] = string.Empty;
            }
        }

        for (var s = 0; s < slots.Length; s++)
        {
            var slot = slots[s];
            var index = slot.Position ?? s;
            cells[0, index] = slot.Item;
            cells[1, index] = slot.Price;
            cells[2, index] = slot.Make;
            cells[3, index] = slot.Model;
            cells[4, index] = slot.GoodsCode;
            cells[5, index] = slot.Quantity;
        }

        var row = new StringBuilder();
        if (leading is not null)
        {
            row.Append(leading).Append(',');
        }

        row.Append(id);
        for (var p = 0; p < 6; p++)
        {
            for (var s = 0; s < 24; s++)
            {
                row.Append(',').Append(cells[p, s]);
            }
        }

        row.Append(',').Append(count);
        if (flag is not null)
        {
            row.Append(',').Append(flag);
        }

        return row.ToString();
    }

    public static string File(params string[] lines) => string.Join('\n', lines) + "\n";
}

internal sealed record Slot(string Item, string Price, string Make = "", string Model = "", string GoodsCode = "", string Quantity = "1.0")
{
    /// <summary>0-based slot to place this in (default: next free).</summary>
    public int? Position { get; init; }
}
