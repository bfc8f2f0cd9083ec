using System.Buffers;
using System.Text.Json;
using Fraud.Baskets;

namespace Fraud.Registry.Batches;

/// <summary>
/// Writes the two forms of a queued batch message: inline <c>{"batchId","baskets":[...]}</c>, and the claim check
/// <c>{"batchId","blob":"batches/incoming/&lt;batchId&gt;.json"}</c> whose blob holds the inline form.
/// </summary>
public static class BatchMessages
{
    /// <summary>UTF-8 JSON of the inline form (also the claim-check blob's content).</summary>
    public static byte[] Inline(string batchId, IReadOnlyList<Basket> baskets)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        Require(batchId);
        var buffer = new ArrayBufferWriter<byte>(256 + (baskets.Count * 400));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("batchId", batchId);
            writer.WritePropertyName("baskets");
            writer.WriteStartArray();
            foreach (var basket in baskets)
            {
                JsonSerializer.Serialize(writer, basket, BasketJsonContext.Default.Basket);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>UTF-8 JSON of the claim-check form.</summary>
    public static byte[] ClaimCheck(string batchId)
    {
        Require(batchId);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("batchId", batchId);
            writer.WriteString("blob", BatchNames.ClaimCheckReference(batchId));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Require(string batchId)
    {
        if (!BatchNames.IsValidId(batchId))
        {
            throw new ArgumentException($"A batch id must be {BatchNames.IdRule}.", nameof(batchId));
        }
    }
}
