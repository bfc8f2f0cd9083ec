namespace Fraud.Baskets;

/// <summary>A rule a basket broke, with the path of the offending field (for example <c>items[3].cashPrice</c>).</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// The one set of validation rules shared by the CSV reader, the HTTP API and queued batches:
/// 1–24 items, finite price ≥ 0, integer quantity ≥ 1, price × quantity at most <see cref="Basket.MaxLineAmount"/>, strings at most 256 characters, a non-empty id.
/// Field paths use the JSON names so that an API caller can find the field it sent.
/// </summary>
public static class BasketValidation
{
    /// <summary>Returns every rule the basket breaks; an empty list means it is valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(Basket? basket)
    {
        // The common case is a valid basket: check first, and build field paths and messages only on failure,
        // so validating a million CSV rows allocates nothing.
        if (IsValid(basket))
        {
            return [];
        }

        var errors = new List<ValidationError>();
        if (basket is null)
        {
            errors.Add(new ValidationError("basket", "A basket is required."));
            return errors;
        }

        if (string.IsNullOrWhiteSpace(basket.Id))
        {
            errors.Add(new ValidationError("id", "The basket id is required."));
        }
        else if (basket.Id.Length > Basket.MaxStringLength)
        {
            errors.Add(new ValidationError("id", $"The basket id is longer than {Basket.MaxStringLength} characters."));
        }

        if (basket.Items is null || basket.Items.Count == 0)
        {
            errors.Add(new ValidationError("items", "A basket needs at least one item."));
            return errors;
        }

        if (basket.Items.Count > Basket.MaxItems)
        {
            errors.Add(new ValidationError("items", $"A basket holds at most {Basket.MaxItems} items; this one has {basket.Items.Count}."));
        }

        for (var i = 0; i < basket.Items.Count; i++)
        {
            ValidateItem(basket.Items[i], $"items[{i}]", errors);
        }

        return errors;
    }

    /// <summary>True when <see cref="Validate"/> would return no errors; allocates nothing.</summary>
    public static bool IsValid(Basket? basket)
    {
        if (basket is null || string.IsNullOrWhiteSpace(basket.Id) || basket.Id.Length > Basket.MaxStringLength
            || basket.Items is null || basket.Items.Count is 0 or > Basket.MaxItems)
        {
            return false;
        }

        for (var i = 0; i < basket.Items.Count; i++)
        {
            if (!IsValid(basket.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <see cref="ValidateItem"/> would add no errors.</summary>
    public static bool IsValid(BasketItem? item) =>
        item is not null
        && !string.IsNullOrWhiteSpace(item.Item)
        && FitsLength(item.Item) && FitsLength(item.Make) && FitsLength(item.Model) && FitsLength(item.GoodsCode)
        && double.IsFinite(item.CashPrice) && item.CashPrice >= 0
        && item.Quantity >= 1
        && item.CashPrice * item.Quantity <= Basket.MaxLineAmount;

    /// <summary>Checks one item; <paramref name="path"/> prefixes the field names in the errors.</summary>
    public static void ValidateItem(BasketItem? item, string path, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (item is null)
        {
            errors.Add(new ValidationError(path, "The item is missing."));
            return;
        }

        if (string.IsNullOrWhiteSpace(item.Item))
        {
            errors.Add(new ValidationError($"{path}.item", "The item category is required."));
        }

        CheckLength(item.Item, $"{path}.item", errors);
        CheckLength(item.Make, $"{path}.make", errors);
        CheckLength(item.Model, $"{path}.model", errors);
        CheckLength(item.GoodsCode, $"{path}.goodsCode", errors);

        if (!double.IsFinite(item.CashPrice) || item.CashPrice < 0)
        {
            errors.Add(new ValidationError($"{path}.cashPrice", "The unit price must be a finite number of at least 0."));
        }

        if (item.Quantity < 1)
        {
            errors.Add(new ValidationError($"{path}.quantity", "The quantity must be a whole number of at least 1."));
        }
        else if (double.IsFinite(item.CashPrice) && item.CashPrice * item.Quantity > Basket.MaxLineAmount)
        {
            errors.Add(new ValidationError($"{path}.quantity", "Unit price × quantity is more than 1,000,000,000; no basket line is that large."));
        }
    }

    private static bool FitsLength(string? value) => value is null || value.Length <= Basket.MaxStringLength;

    private static void CheckLength(string? value, string field, List<ValidationError> errors)
    {
        if (value is not null && value.Length > Basket.MaxStringLength)
        {
            errors.Add(new ValidationError(field, $"Longer than {Basket.MaxStringLength} characters."));
        }
    }
}
