using System.Buffers;
using System.Globalization;

namespace Fraud.Baskets;

/// <summary>Writes rows in the challenge layout, quoting only the fields that need it (RFC 4180).</summary>
internal sealed class BasketCsvWriter
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    private readonly TextWriter _writer;
    private readonly bool _withLabel;
    private readonly char[] _number = new char[32];

    public BasketCsvWriter(TextWriter writer, bool withLabel)
    {
        _writer = writer;
        _withLabel = withLabel;
        writer.Write(string.Join(',', BasketCsvColumns.FeatureColumns));
        writer.Write(withLabel ? ",fraud_flag\n" : "\n");
    }

    public void Write(Basket basket, bool? label)
    {
        ArgumentNullException.ThrowIfNull(basket);
        var items = basket.Items;
        if (items is null || items.Count is 0 or > Basket.MaxItems)
        {
            throw new ArgumentException($"Basket {basket.Id} has {items?.Count ?? 0} items; the CSV layout holds 1 to {Basket.MaxItems}.", nameof(basket));
        }

        WriteField(_writer, basket.Id);
        for (var prefix = 0; prefix < BasketCsvColumns.SlotPrefixes.Length; prefix++)
        {
            for (var slot = 0; slot < Basket.MaxItems; slot++)
            {
                _writer.Write(',');
                if (slot >= items.Count)
                {
                    continue;
                }

                var item = items[slot];
                switch (prefix)
                {
                    case 0: WriteField(_writer, item.Item); break;
                    case 1: WriteNumber(item.CashPrice); break;
                    case 2: WriteField(_writer, item.Make); break;
                    case 3: WriteField(_writer, item.Model); break;
                    case 4: WriteField(_writer, item.GoodsCode); break;
                    default: WriteNumber(item.Quantity); break;
                }
            }
        }

        _writer.Write(',');
        WriteNumber(items.Count);
        if (_withLabel)
        {
            _writer.Write(label == true ? ",1" : ",0");
        }

        _writer.Write('\n');
    }

    public static void WriteField(TextWriter writer, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(NeedsQuotes) < 0 && value[0] != ' ' && value[^1] != ' ')
        {
            writer.Write(value);
            return;
        }

        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }

    // Shortest round-trip form ("R" semantics are the default since .NET Core 3.0), invariant culture.
    private void WriteNumber(double value)
    {
        if (!value.TryFormat(_number, out var written, default, CultureInfo.InvariantCulture))
        {
            _writer.Write(value.ToString(CultureInfo.InvariantCulture));
            return;
        }

        _writer.Write(_number, 0, written);
    }

    private void WriteNumber(int value)
    {
        value.TryFormat(_number, out var written, default, CultureInfo.InvariantCulture);
        _writer.Write(_number, 0, written);
    }
}
