using System.Globalization;

namespace Fraud.Baskets;

/// <summary>
/// Reads challenge-format rows one at a time: maps the header by name (extra columns such as a leading
/// unnamed index are ignored), parses each slot, cross-checks <c>Nb_of_items</c> and applies
/// <see cref="BasketValidation"/>, reporting the offending line and column.
/// </summary>
internal sealed class BasketCsvReader
{
    private const int Ignored = -1;

    private readonly CsvTokenizer _tokenizer;
    private readonly CsvReadOptions _options;
    private readonly string? _filePath;
    private readonly StringPool _categories;
    private readonly StringPool _texts = new();
    private readonly string[] _header;
    private readonly int _idColumn;
    private readonly int _countColumn;
    private readonly int _flagColumn;

    // [prefix * MaxItems + slot - 1] -> field index in the row.
    private readonly int[] _slotColumns = new int[BasketCsvColumns.SlotPrefixes.Length * Basket.MaxItems];
    private readonly BasketItem[] _items = new BasketItem[Basket.MaxItems];
    private readonly int[] _itemSlots = new int[Basket.MaxItems];

    public BasketCsvReader(TextReader reader, CsvReadOptions options, string? filePath)
    {
        _tokenizer = new CsvTokenizer(reader);
        _options = options;
        _filePath = filePath;
        _categories = new StringPool(4096, options.NormalizeCategories ? Categories.Normalize : null);
        if (!_tokenizer.ReadRecord())
        {
            throw new BasketCsvException("The file is empty; expected a header row with the challenge columns.", 1, null, filePath);
        }

        _header = new string[_tokenizer.FieldCount];
        for (var i = 0; i < _header.Length; i++)
        {
            _header[i] = _tokenizer[i].Trim().ToString();
        }

        _tokenizer.ColumnNames = _header;
        _idColumn = Find(BasketCsvColumns.Id, required: true);
        _countColumn = Find(BasketCsvColumns.ItemCount, required: true);
        _flagColumn = Find(BasketCsvColumns.FraudFlag, required: false);
        for (var p = 0; p < BasketCsvColumns.SlotPrefixes.Length; p++)
        {
            for (var slot = 1; slot <= Basket.MaxItems; slot++)
            {
                _slotColumns[(p * Basket.MaxItems) + slot - 1] = Find(BasketCsvColumns.SlotColumn(BasketCsvColumns.SlotPrefixes[p], slot), required: true);
            }
        }
    }

    /// <summary>True when the file carries a last <c>fraud_flag</c> column (a combined features-and-labels file).</summary>
    public bool HasLabelColumn => _flagColumn != Ignored;

    /// <summary>
    /// The next valid row; false at the end. Bad rows throw, or are counted and skipped with
    /// <see cref="CsvReadOptions.SkipBadRows"/>. <paramref name="label"/> is null without a <c>fraud_flag</c> column.
    /// </summary>
    public bool TryRead(out Basket basket, out bool? label)
    {
        while (_tokenizer.ReadRecord())
        {
            try
            {
                basket = ParseRow(out label);
                _options.Stats.RowsRead++;
                return true;
            }
            catch (BasketCsvException ex) when (_options.SkipBadRows)
            {
                _options.Stats.Skipped(ex);
            }
        }

        basket = null!;
        label = null;
        return false;
    }

    private Basket ParseRow(out bool? label)
    {
        if (_tokenizer.FieldCount != _header.Length)
        {
            throw Error($"The row has {_tokenizer.FieldCount} fields but the header has {_header.Length}.", null);
        }

        var id = _tokenizer[_idColumn].Trim();
        if (id.IsEmpty)
        {
            throw Error("The basket id is empty.", _idColumn);
        }

        var count = 0;
        long units = 0;
        for (var slot = 1; slot <= Basket.MaxItems; slot++)
        {
            var itemColumn = SlotField(0, slot);
            var category = _tokenizer[itemColumn].Trim();
            if (category.IsEmpty)
            {
                EnsureSlotEmpty(slot);
                continue;
            }

            var price = ParseNumber(SlotField(1, slot), "a unit price");
            var quantityColumn = SlotField(5, slot);
            var quantity = ParseWhole(quantityColumn, "a quantity");
            if (quantity < 1)
            {
                throw Error($"The quantity must be a whole number of at least 1, not {quantity.ToString(CultureInfo.InvariantCulture)}.", quantityColumn);
            }

            _items[count] = new BasketItem(
                _categories.Get(category),
                price,
                _texts.Get(_tokenizer[SlotField(2, slot)]),
                _texts.Get(_tokenizer[SlotField(3, slot)]),
                _texts.Get(_tokenizer[SlotField(4, slot)]),
                (int)quantity);
            _itemSlots[count] = slot;
            units += quantity;
            count++;
        }

        if (count == 0)
        {
            throw Error("The basket has no items: every item slot is empty.", SlotField(0, 1));
        }

        CheckItemCount(count, units);
        label = _flagColumn == Ignored ? null : ParseFlag(_flagColumn);

        var basket = new Basket(id.ToString(), _items.AsSpan(0, count).ToArray());
        var errors = BasketValidation.Validate(basket);
        if (errors.Count > 0)
        {
            throw Error(errors[0].Message, ColumnOf(errors[0].Field));
        }

        return basket;
    }

    private void EnsureSlotEmpty(int slot)
    {
        for (var p = 1; p < BasketCsvColumns.SlotPrefixes.Length; p++)
        {
            var column = SlotField(p, slot);
            if (!_tokenizer[column].Trim().IsEmpty)
            {
                throw Error($"The slot has a value here but its category {_header[SlotField(0, slot)]} is empty.", column);
            }
        }
    }

    private void CheckItemCount(int lines, long units)
    {
        var text = _tokenizer[_countColumn].Trim();
        if (text.IsEmpty)
        {
            return;
        }

        var declared = ParseWhole(_countColumn, "an item count");

        // Exports differ on whether Nb_of_items counts lines or units; either agrees with the slots.
        if (declared != lines && declared != units)
        {
            throw Error(
                $"Nb_of_items says {declared.ToString(CultureInfo.InvariantCulture)} but the row holds {lines.ToString(CultureInfo.InvariantCulture)} items ({units.ToString(CultureInfo.InvariantCulture)} units).",
                _countColumn);
        }
    }

    private double ParseNumber(int column, string what)
    {
        var text = _tokenizer[column].Trim();
        if (text.IsEmpty)
        {
            throw Error($"Expected {what} but the cell is empty.", column);
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error($"Expected {what} but found '{Shorten(text)}'.", column);
        }

        return value;
    }

    private long ParseWhole(int column, string what)
    {
        var value = ParseNumber(column, what);
        if (value != Math.Floor(value) || Math.Abs(value) > int.MaxValue)
        {
            throw Error($"Expected {what} as a whole number but found '{Shorten(_tokenizer[column].Trim())}'.", column);
        }

        return (long)value;
    }

    private bool ParseFlag(int column)
    {
        var text = _tokenizer[column].Trim();
        if (LabelParsing.TryParseFlag(text, out var flag))
        {
            return flag;
        }

        throw Error($"A fraud flag must be 0 or 1, not '{Shorten(text)}'.", column);
    }

    private int SlotField(int prefix, int slot) => _slotColumns[(prefix * Basket.MaxItems) + slot - 1];

    // Maps a BasketValidation field path (items[3].cashPrice) back to the CSV column it came from.
    private int? ColumnOf(string field)
    {
        if (field == "id")
        {
            return _idColumn;
        }

        var open = field.IndexOf('[', StringComparison.Ordinal);
        var close = field.IndexOf(']', StringComparison.Ordinal);
        if (open < 0 || close < open || !int.TryParse(field.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }

        var slot = _itemSlots[index];
        var prefix = field[(close + 1)..] switch
        {
            ".cashPrice" => 1,
            ".make" => 2,
            ".model" => 3,
            ".goodsCode" => 4,
            ".quantity" => 5,
            _ => 0,
        };
        return SlotField(prefix, slot);
    }

    private int Find(string name, bool required)
    {
        var found = Ignored;
        for (var i = 0; i < _header.Length; i++)
        {
            if (!string.Equals(_header[i], name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (found != Ignored)
            {
                throw new BasketCsvException($"The header names column {name} twice.", 1, name, _filePath);
            }

            found = i;
        }

        if (found == Ignored && required)
        {
            throw new BasketCsvException(
                $"The header has no {name} column; expected the challenge columns (ID, item1..24, cash_price1..24, make1..24, model1..24, goods_code1..24, Nbr_of_prod_purchas1..24, Nb_of_items).",
                1,
                name,
                _filePath);
        }

        return found;
    }

    private BasketCsvException Error(string message, int? column) =>
        new(message, _tokenizer.RecordLine, column is { } c ? _header[c] : null, _filePath);

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");
}
