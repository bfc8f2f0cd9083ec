using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring;

/// <summary>What one label compaction did.</summary>
/// <param name="Hours">Hour folders rewritten as one file.</param>
/// <param name="FilesReplaced">Per-POST parts, per-POST blobs of the old day layout and older compacted files replaced.</param>
/// <param name="Labels">Labels in the files written (one effective label per basket per hour).</param>
public sealed record LabelCompactionResult(int Hours, int FilesReplaced, long Labels);

/// <summary>
/// Labels as they arrive, partitioned by arrival hour like the prediction log: each <see cref="AppendAsync"/> writes one
/// part <c>labels/yyyy/MM/dd/HH/part-&lt;time&gt;-&lt;guid&gt;.json</c> (concurrent writers never contend, nothing is
/// overwritten), and <see cref="CompactFinishedHoursAsync"/> (run by the monitoring job) merges a finished hour's parts
/// into one <c>compacted-&lt;ticks&gt;.json</c> holding one label per basket. A monitoring run reads only the hours of its
/// window (<see cref="ReadWindowAsync"/>). Blobs of the first layout, one per POST directly under the day
/// (<c>labels/yyyy/MM/dd/&lt;time&gt;-&lt;guid&gt;.json</c>), are read in the hour their name says and merged into that
/// hour by compaction, so nothing stored before is lost.
/// </summary>
/// <remarks>
/// One effective label per basket: the newest <see cref="FraudLabel.ObservedAt"/> wins, a later arrival on a tie
/// (<see cref="LatestById"/>). So a compaction that stops between writing its file and deleting the parts leaves
/// duplicates that change nothing, and no "compacted from" list is needed, unlike the prediction log (whose readers
/// count records).
/// </remarks>
public sealed class LabelStore(IBlobStore store, TimeProvider? clock = null)
{
    private const string PartPrefix = "part-";
    private const string CompactedPrefix = "compacted-";
    private const string Extension = ".json";

    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, LabelStamp[]> _stampsByBlob = new(StringComparer.Ordinal);

    /// <summary>An hour is compacted once this long has passed since its end (a POST under way at the hour's end lands first).</summary>
    public static TimeSpan Grace { get; } = TimeSpan.FromMinutes(15);

    /// <summary>Stores a batch of labels as one part of the current hour; returns the blob name, or null for an empty batch.</summary>
    public async Task<string?> AppendAsync(IReadOnlyList<FraudLabel> labels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
        {
            return null;
        }

        foreach (var label in labels)
        {
            if (string.IsNullOrWhiteSpace(label.Id))
            {
                throw new ArgumentException("Every label needs a basket id.", nameof(labels));
            }
        }

        var now = _clock.GetUtcNow().UtcDateTime;
        var name = string.Create(CultureInfo.InvariantCulture, $"{now:yyyy'/'MM'/'dd'/'HH}/{PartPrefix}{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}{Extension}");
        await WriteAsync(name, labels, ct);
        return name;
    }

    /// <summary>Labels that arrived in the hours overlapping [<paramref name="from"/>, <paramref name="to"/>), in arrival order.</summary>
    public async Task<IReadOnlyList<FraudLabel>> ReadWindowAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var labels = new List<FraudLabel>();
        if (to <= from)
        {
            return labels;
        }

        foreach (var blob in await ListAsync(ScoredBasketIndex.MonthPrefixes(from, to), from, to, ct))
        {
            await ReadBlobAsync(blob.Name, labels, ct);
        }

        return labels;
    }

    /// <summary>Every label ever stored, in arrival order (the newest label per basket is the one in force, <see cref="LatestById"/>).</summary>
    public async Task<IReadOnlyList<FraudLabel>> ReadAllAsync(CancellationToken ct = default)
    {
        var labels = new List<FraudLabel>();
        foreach (var blob in await ListAsync([null], DateTimeOffset.MinValue, DateTimeOffset.MaxValue, ct))
        {
            await ReadBlobAsync(blob.Name, labels, ct);
        }

        return labels;
    }

    /// <summary>
    /// The label in force for each of <paramref name="ids"/> that has one among the labels that arrived in
    /// [<paramref name="from"/>, <paramref name="to"/>), as a stamp (flag, time, source hash). Each blob is read once per
    /// process and kept as 32 bytes a label (blob names never change content); used by the labels endpoint to store a
    /// label only when it changes something.
    /// </summary>
    public async Task<Dictionary<string, LabelStamp>> InForceAsync(IEnumerable<string> ids, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            wanted.TryAdd(id, ScoredBasketIndex.Hash(id));
        }

        var result = new Dictionary<string, LabelStamp>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return result;
        }

        var blobs = await ListAsync(ScoredBasketIndex.MonthPrefixes(from, to), from, to, ct);
        foreach (var blob in blobs)
        {
            if (!_stampsByBlob.TryGetValue(blob.Name, out var stamps))
            {
                var labels = new List<FraudLabel>();
                if (!await ReadBlobAsync(blob.Name, labels, ct))
                {
                    continue;
                }

                stamps = new LabelStamp[labels.Count];
                for (var i = 0; i < labels.Count; i++)
                {
                    stamps[i] = LabelStamp.Of(labels[i]);
                }

                // Stable by hash: a blob's later label for the same basket stays after its earlier one.
                stamps = [.. stamps.Select((s, i) => (s, i)).OrderBy(x => x.s.IdHash).ThenBy(x => x.i).Select(x => x.s)];
                _stampsByBlob[blob.Name] = stamps;
            }

            foreach (var (id, hash) in wanted)
            {
                var at = LowerBound(stamps, hash);
                for (; at < stamps.Length && stamps[at].IdHash == hash; at++)
                {
                    if (!result.TryGetValue(id, out var seen) || stamps[at].ObservedTicks >= seen.ObservedTicks)
                    {
                        result[id] = stamps[at];
                    }
                }
            }
        }

        var names = blobs.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in _stampsByBlob.Keys)
        {
            if (!names.Contains(name) && HourOf(name) is { } hour && hour.AddHours(1) > from && hour < to)
            {
                _stampsByBlob.TryRemove(name, out _);
            }
        }

        return result;
    }

    /// <summary>
    /// Merges every finished hour of the last <paramref name="lookback"/> that holds more than one blob (or any blob of
    /// the old day layout) into one compacted file with one label per basket (the one in force within the hour), then
    /// deletes what it replaced.
    /// </summary>
    public async Task<LabelCompactionResult> CompactFinishedHoursAsync(TimeSpan lookback, CancellationToken ct = default)
    {
        var now = _clock.GetUtcNow();
        var from = Floor(now - lookback);
        var lastFinished = Floor(now - Grace).AddHours(-1);
        var result = new LabelCompactionResult(0, 0, 0);
        if (lastFinished < from)
        {
            return result;
        }

        var blobs = await ListAsync(ScoredBasketIndex.MonthPrefixes(from, lastFinished.AddHours(1)), from, lastFinished.AddHours(1), ct);
        foreach (var hour in blobs.GroupBy(b => HourOf(b.Name)!.Value))
        {
            var names = hour.Select(b => b.Name).ToList();
            if (names.Count == 1 && IsHourBlob(names[0]))
            {
                continue;
            }

            var labels = new List<FraudLabel>();
            foreach (var name in names)
            {
                await ReadBlobAsync(name, labels, ct);
            }

            var inForce = LatestById(labels).Values.OrderBy(l => l.Id, StringComparer.Ordinal).ToList();
            var writtenAt = now.UtcTicks;
            foreach (var name in names.Where(IsCompacted))
            {
                writtenAt = Math.Max(writtenAt, CompactedTicks(name) + 1);
            }

            var compacted = string.Create(CultureInfo.InvariantCulture, $"{hour.Key:yyyy'/'MM'/'dd'/'HH}/{CompactedPrefix}{writtenAt:D19}{Extension}");
            await WriteAsync(compacted, inForce, ct);
            foreach (var name in names)
            {
                await _store.DeleteAsync(Containers.Labels, name, ct);
            }

            result = new LabelCompactionResult(result.Hours + 1, result.FilesReplaced + names.Count, result.Labels + inForce.Count);
        }

        return result;
    }

    /// <summary>The newest label per basket id (latest <see cref="FraudLabel.ObservedAt"/>, later storage order on a tie).</summary>
    public static Dictionary<string, FraudLabel> LatestById(IEnumerable<FraudLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var latest = new Dictionary<string, FraudLabel>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            if (!latest.TryGetValue(label.Id, out var seen) || label.ObservedAt >= seen.ObservedAt)
            {
                latest[label.Id] = label;
            }
        }

        return latest;
    }

    private async Task WriteAsync(string name, IEnumerable<FraudLabel> labels, CancellationToken ct)
    {
        var lines = labels.Select(l => new LabelLine { Id = l.Id, FraudFlag = l.FraudFlag, Source = l.Source, ObservedAt = l.ObservedAt }).ToList();
        await _store.CreateContainerIfNotExistsAsync(Containers.Labels, ct);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(lines, MonitoringJsonContext.Default.ListLabelLine);
        await _store.PutAsync(Containers.Labels, name, bytes, BlobWriteCondition.IfNotExists, "application/json", ct);
    }

    // Returns false when the blob was deleted since the listing (compacted meanwhile).
    private async Task<bool> ReadBlobAsync(string name, List<FraudLabel> into, CancellationToken ct)
    {
        var download = await _store.GetAsync(Containers.Labels, name, ct);
        if (download is null)
        {
            return false;
        }

        List<LabelLine>? lines;
        try
        {
            lines = JsonSerializer.Deserialize(download.Content.Span, MonitoringJsonContext.Default.ListLabelLine);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Label blob '{name}' is not valid JSON: {ex.Message}", ex);
        }

        foreach (var line in lines ?? [])
        {
            if (!string.IsNullOrEmpty(line.Id))
            {
                into.Add(new FraudLabel(line.Id, line.FraudFlag, line.Source ?? string.Empty, line.ObservedAt));
            }
        }

        return true;
    }

    // The label blobs of both layouts in hours overlapping [from, to), in arrival order: hour by hour, the hour's
    // compacted file first (it holds what arrived before it was written), then parts and old blobs by arrival time.
    private async Task<List<BlobItemInfo>> ListAsync(IEnumerable<string?> prefixes, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var blobs = new List<(string Key, BlobItemInfo Blob)>();
        foreach (var prefix in prefixes)
        {
            await foreach (var blob in _store.ListAsync(Containers.Labels, prefix, ct))
            {
                if (HourOf(blob.Name) is { } hour && hour.AddHours(1) > from && hour < to)
                {
                    blobs.Add((OrderKey(blob.Name, hour), blob));
                }
            }
        }

        blobs.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return blobs.ConvertAll(b => b.Blob);
    }

    private static string OrderKey(string name, DateTimeOffset hour)
    {
        var file = name[(name.LastIndexOf('/') + 1)..];
        var rank = file.StartsWith(CompactedPrefix, StringComparison.Ordinal) ? '0' : '1';
        var stamp = file.StartsWith(PartPrefix, StringComparison.Ordinal) ? file[PartPrefix.Length..] : file;
        return string.Create(CultureInfo.InvariantCulture, $"{hour:yyyyMMddHH}{rank}{stamp}");
    }

    /// <summary>
    /// The arrival hour of a label blob: from the folder for <c>yyyy/MM/dd/HH/…</c>, from the name's time for the old
    /// <c>yyyy/MM/dd/yyyyMMddTHHmmssfffZ-….json</c>; null for anything else.
    /// </summary>
    internal static DateTimeOffset? HourOf(string name)
    {
        if (!name.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }

        if (ScoredBasketIndex.HourOf(name) is { } hour)
        {
            return hour;
        }

        return name.Length > 22 && name[10] == '/' && DateTimeOffset.TryParseExact(name.AsSpan(11, 11), "yyyyMMdd'T'HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var old)
            ? old
            : null;
    }

    private static bool IsHourBlob(string name) => ScoredBasketIndex.HourOf(name) is not null;

    private static bool IsCompacted(string name) => name.AsSpan(name.LastIndexOf('/') + 1).StartsWith(CompactedPrefix, StringComparison.Ordinal);

    private static long CompactedTicks(string name)
    {
        var start = name.LastIndexOf('/') + 1 + CompactedPrefix.Length;
        return long.TryParse(name.AsSpan(start, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;
    }

    private static int LowerBound(LabelStamp[] stamps, ulong hash)
    {
        int lo = 0, hi = stamps.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (stamps[mid].IdHash < hash)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static DateTimeOffset Floor(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>A stored label reduced to what decides whether a new one changes anything: 32 bytes.</summary>
/// <param name="IdHash">The basket id's hash (<see cref="ScoredBasketIndex.Hash"/>).</param>
/// <param name="ObservedTicks">UTC ticks of <see cref="FraudLabel.ObservedAt"/>.</param>
/// <param name="SourceHash">The source's hash.</param>
/// <param name="FraudFlag">The label.</param>
public readonly record struct LabelStamp(ulong IdHash, long ObservedTicks, ulong SourceHash, bool FraudFlag)
{
    /// <summary>The stamp of a label.</summary>
    public static LabelStamp Of(FraudLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return new LabelStamp(ScoredBasketIndex.Hash(label.Id), label.ObservedAt.UtcTicks, ScoredBasketIndex.Hash(label.Source), label.FraudFlag);
    }

    /// <summary>Whether <paramref name="label"/> says nothing this stamp does not: the same flag, time and source, or older.</summary>
    public bool Covers(FraudLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var ticks = label.ObservedAt.UtcTicks;
        return ticks < ObservedTicks || (ticks == ObservedTicks && FraudFlag == label.FraudFlag && SourceHash == ScoredBasketIndex.Hash(label.Source));
    }
}

/// <summary>The JSON shape of one stored label.</summary>
public sealed class LabelLine
{
    public string? Id { get; set; }

    public bool FraudFlag { get; set; }

    public string? Source { get; set; }

    public DateTimeOffset ObservedAt { get; set; }
}
