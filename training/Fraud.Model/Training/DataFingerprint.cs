using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fraud.Baskets;

namespace Fraud.Model;

/// <summary>
/// SHA-256 over a canonical text form of baskets and labels (invariant numbers, separators that cannot occur in
/// CSV cells), so the same data gives the same fingerprint whatever file layout or number spelling it came from.
/// </summary>
public static class DataFingerprint
{
    public static string Compute(IReadOnlyList<Basket> baskets, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(labels);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var text = new StringBuilder(1024);
        var bytes = new byte[4096];
        for (var r = 0; r < baskets.Count; r++)
        {
            text.Clear();
            var basket = baskets[r];
            text.Append(basket.Id).Append('\u001f').Append(r < labels.Count && labels[r] ? '1' : '0');
            foreach (var item in basket.Items)
            {
                text.Append('\u001e').Append(Categories.Normalize(item.Item))
                    .Append('\u001f').Append(item.CashPrice.ToString("R", CultureInfo.InvariantCulture))
                    .Append('\u001f').Append(item.Make)
                    .Append('\u001f').Append(item.Model)
                    .Append('\u001f').Append(item.GoodsCode)
                    .Append('\u001f').Append(item.Quantity.ToString(CultureInfo.InvariantCulture));
            }

            text.Append('\n');
            var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (needed > bytes.Length)
            {
                bytes = new byte[needed];
            }

            var written = Encoding.UTF8.GetBytes(text.ToString(), bytes);
            hash.AppendData(bytes, 0, written);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
