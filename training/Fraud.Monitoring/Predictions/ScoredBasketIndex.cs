using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring;

/// <summary>
/// Answers "was this basket scored in this window?" from the prediction log, for the labels endpoint (a label is only
/// accepted for a basket that was scored). Each log blob (a part or a compacted hour) is read once per process for its
/// <c>basket_id</c> column only and kept as a sorted array of 64-bit hashes (XxHash3 of the id's UTF-16 code units):
/// 8 bytes per scored basket, so 90 days of 100,000 baskets a day is about 72 MB, against about 90 bytes a basket for a
/// set of the id strings. Blob names never change content (parts and compacted files are written create-only), so a
/// cached array stays right until its blob disappears from the listing (compacted away or out of the window), when it
/// is dropped.
/// </summary>
/// <remarks>
/// A lookup lists the window's month folders (one listing per month: 4 for 90 days) and downloads only blobs it has not
/// seen. A hash match on a different id is possible in principle: with n baskets in the window, the chance that a
/// given unscored id passes is n / 2^64 (about 5e-13 for 9 million); such a label would be stored and then never join a
/// prediction at retraining, which is what an unscored label did before. No separate index file is written: the log
/// already holds the ids column-wise, and writing a second blob per flush would double the store's write count.
/// </remarks>
public sealed class ScoredBasketIndex(IBlobStore store)
{
    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ConcurrentDictionary<string, ulong[]> _hashesByBlob = new(StringComparer.Ordinal);

    /// <summary>Blobs read so far by this index (for tests and diagnostics: a second lookup reads only new blobs).</summary>
    public long BlobsRead => Interlocked.Read(ref _blobsRead);

    private long _blobsRead;

    /// <summary>The 64-bit hash the index keeps for a basket id.</summary>
    public static ulong Hash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));
    }

    /// <summary>The ids among <paramref name="ids"/> that the log holds as scored in hours overlapping [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<HashSet<string>> FindScoredAsync(IEnumerable<string> ids, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            wanted.TryAdd(id, Hash(id));
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        if (wanted.Count == 0 || to <= from)
        {
            return found;
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prefix in MonthPrefixes(from, to))
        {
            await foreach (var blob in _store.ListAsync(Containers.Predictions, prefix, ct))
            {
                if (InWindow(blob.Name, from, to) && (blob.Name.EndsWith(PredictionLogFormat.ParquetExtension, StringComparison.Ordinal) || blob.Name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal)))
                {
                    listed.Add(blob.Name);
                }
            }
        }

        foreach (var name in listed.Order(StringComparer.Ordinal))
        {
            if (!_hashesByBlob.TryGetValue(name, out var hashes))
            {
                hashes = await ReadHashesAsync(name, ct);
                if (hashes is null)
                {
                    continue; // deleted since the listing (compacted): the compacted file is in the listing or the next one
                }

                _hashesByBlob[name] = hashes;
            }

            foreach (var (id, hash) in wanted)
            {
                if (Array.BinarySearch(hashes, hash) >= 0)
                {
                    found.Add(id);
                }
            }
        }

        // Forget blobs of this window that are gone (compacted into a newer file, or deleted).
        foreach (var name in _hashesByBlob.Keys)
        {
            if (!listed.Contains(name) && InWindow(name, from, to))
            {
                _hashesByBlob.TryRemove(name, out _);
            }
        }

        return found;
    }

    /// <summary>Drops cached blobs whose hour ended before <paramref name="before"/> (outside every window still asked for).</summary>
    public void Forget(DateTimeOffset before)
    {
        foreach (var name in _hashesByBlob.Keys)
        {
            if (HourOf(name) is { } hour && hour.AddHours(1) <= before)
            {
                _hashesByBlob.TryRemove(name, out _);
            }
        }
    }

    private async Task<ulong[]?> ReadHashesAsync(string name, CancellationToken ct)
    {
        var download = await _store.GetAsync(Containers.Predictions, name, ct);
        if (download is null)
        {
            return null;
        }

        Interlocked.Increment(ref _blobsRead);
        var ids = new List<string>();
        if (name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal))
        {
            var records = new List<PredictionRecord>();
            PredictionLogFormat.ReadLines(download.Content.Span, records);
            ids.AddRange(records.Select(r => r.Basket.Id));
        }
        else
        {
            using var stream = new MemoryStream(download.Content.ToArray(), writable: false);
            await PredictionParquet.ReadBasketIdsAsync(stream, ids, ct);
        }

        var hashes = new ulong[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            hashes[i] = Hash(ids[i]);
        }

        Array.Sort(hashes);
        return hashes;
    }

    /// <summary>The month folders (<c>yyyy/MM/</c>) that cover [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static IEnumerable<string> MonthPrefixes(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.ToUniversalTime();
        var end = to.ToUniversalTime();
        for (var month = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero); month < end; month = month.AddMonths(1))
        {
            yield return month.ToString("yyyy'/'MM'/'", CultureInfo.InvariantCulture);
        }
    }

    private static bool InWindow(string name, DateTimeOffset from, DateTimeOffset to) =>
        HourOf(name) is { } hour && hour.AddHours(1) > from && hour < to;

    /// <summary>The hour of a blob under <c>yyyy/MM/dd/HH/</c>, or null for any other name.</summary>
    internal static DateTimeOffset? HourOf(string name) =>
        name.Length > 14 && name[13] == '/' && DateTimeOffset.TryParseExact(name.AsSpan(0, 13), "yyyy'/'MM'/'dd'/'HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var hour)
            ? hour
            : null;
}
