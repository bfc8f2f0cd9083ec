using System.Text.Json.Serialization;

namespace Fraud.Baskets;

/// <summary>
/// One line of a shopping basket: a product category, its unit price, make, model, goods code
/// and how many units were bought. Field names follow the API's JSON contract (camelCase).
/// </summary>
/// <param name="Item">Product category as written by the retailer (normalise with <see cref="Categories.Normalize"/>).</param>
/// <param name="CashPrice">Unit price, finite and non-negative.</param>
/// <param name="Make">Manufacturer, may be empty or absent (null becomes empty).</param>
/// <param name="Model">Model description, may be empty or absent (null becomes empty).</param>
/// <param name="GoodsCode">Retailer's goods code, may be empty or absent (null becomes empty).</param>
/// <param name="Quantity">Units bought, at least 1.</param>
public sealed record BasketItem(string Item, double CashPrice, string? Make, string? Model, string? GoodsCode, int Quantity)
{
    // The optional fields arrive as null when a JSON client leaves them out. Every consumer (featurizer, reasons,
    // prediction log, drift, retraining) treats them as text, so the one place to make "absent" mean "empty" is here:
    // no item ever holds a null make, model or goods code, whatever path built it (issue 14, item 1).

    /// <summary>Manufacturer; empty when not given.</summary>
    public string Make { get; init; } = Make ?? string.Empty;

    /// <summary>Model description; empty when not given.</summary>
    public string Model { get; init; } = Model ?? string.Empty;

    /// <summary>Retailer's goods code; empty when not given.</summary>
    public string GoodsCode { get; init; } = GoodsCode ?? string.Empty;

    /// <summary>Unit price times quantity.</summary>
    [JsonIgnore]
    public double Amount => CashPrice * Quantity;
}

/// <summary>A credit application's basket: an id and 1 to <see cref="Basket.MaxItems"/> items.</summary>
public sealed record Basket(string Id, IReadOnlyList<BasketItem> Items)
{
    /// <summary>The challenge format holds at most 24 item slots.</summary>
    public const int MaxItems = 24;

    /// <summary>
    /// The largest line amount (unit price × quantity) accepted. Features are single-precision floats, so a product of
    /// two valid numbers could otherwise become infinity ("£Infinity" in a reason); no shopping basket line comes near.
    /// </summary>
    public const double MaxLineAmount = 1_000_000_000;

    /// <summary>The longest string accepted in any field.</summary>
    public const int MaxStringLength = 256;

    /// <summary>Sum of price × quantity over the items.</summary>
    [JsonIgnore]
    public double TotalAmount
    {
        get
        {
            double total = 0;
            for (var i = 0; i < Items.Count; i++)
            {
                total += Items[i].Amount;
            }

            return total;
        }
    }

    /// <summary>Two baskets are equal when their ids and their items, in order, are equal (not the list instances).</summary>
    public bool Equals(Basket? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || !string.Equals(Id, other.Id, StringComparison.Ordinal))
        {
            return false;
        }

        if (Items is null || other.Items is null)
        {
            return Items is null && other.Items is null;
        }

        if (Items.Count != other.Items.Count)
        {
            return false;
        }

        for (var i = 0; i < Items.Count; i++)
        {
            if (!Equals(Items[i], other.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode() => HashCode.Combine(Id, Items?.Count ?? -1);
}

/// <summary>A basket with its fraud label (1 fraud, 0 genuine).</summary>
public readonly record struct LabelledBasket(Basket Basket, bool IsFraud);
