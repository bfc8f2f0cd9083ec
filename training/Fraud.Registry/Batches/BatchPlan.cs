using System.Security.Cryptography;
using System.Text;
using Fraud.Baskets;

namespace Fraud.Registry.Batches;

/// <summary>One batch to send: its id, its baskets and the inline message body (<see cref="BatchMessages.Inline"/>).</summary>
public sealed record PlannedBatch(string Id, IReadOnlyList<Basket> Baskets, byte[] InlineBody);

/// <summary>
/// Cuts a challenge CSV into batches with ids that depend only on the file: <c>&lt;prefix&gt;-00001</c>, ... where the
/// default prefix is the file name and the first 12 hex digits of its SHA-256. Sending the same file again therefore
/// sends the same ids with the same baskets, which the queue's duplicate detection and ProcessBatch's idempotence
/// both recognise; a changed file gets new ids.
/// </summary>
public static class BatchPlan
{
    /// <summary>The most baskets in one batch (ProcessBatch's default <c>Fraud__MaxBatchBaskets</c>).</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Streams the batches of <paramref name="csvPath"/>, <paramref name="batchSize"/> baskets each (the last may be shorter).</summary>
    public static IEnumerable<PlannedBatch> FromCsv(string csvPath, int batchSize, string prefix)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        if (!BatchNames.IsValidId(prefix + "-00001"))
        {
            throw new ArgumentException($"A batch id prefix must make ids of {BatchNames.IdRule}.", nameof(prefix));
        }

        return Cut(BasketCsv.ReadBaskets(csvPath), batchSize, prefix);
    }

    /// <summary>The default id prefix of a file: its name (made safe) and a content hash.</summary>
    public static string DefaultPrefix(string csvPath)
    {
        using var stream = File.OpenRead(csvPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
        var name = new StringBuilder();
        foreach (var c in Path.GetFileNameWithoutExtension(csvPath))
        {
            if (name.Length == 40)
            {
                break;
            }

            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        var stem = name.ToString().TrimStart('.', '_', '-');
        return stem.Length == 0 ? hash : $"{stem}-{hash}";
    }

    private static IEnumerable<PlannedBatch> Cut(IEnumerable<Basket> baskets, int batchSize, string prefix)
    {
        var chunk = new List<Basket>(Math.Min(batchSize, 1024));
        var number = 0;
        foreach (var basket in baskets)
        {
            chunk.Add(basket);
            if (chunk.Count == batchSize)
            {
                yield return Make(prefix, ++number, chunk);
                chunk = new List<Basket>(Math.Min(batchSize, 1024));
            }
        }

        if (chunk.Count > 0)
        {
            yield return Make(prefix, ++number, chunk);
        }
    }

    private static PlannedBatch Make(string prefix, int number, List<Basket> baskets)
    {
        var id = $"{prefix}-{number:D5}";
        return new PlannedBatch(id, baskets, BatchMessages.Inline(id, baskets));
    }
}
