using System.Globalization;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Parquet.Utils;

namespace Fraud.Monitoring;

/// <summary>What one compaction did.</summary>
/// <param name="Hours">Hour folders rewritten as one file.</param>
/// <param name="FilesReplaced">Part, JSON-lines and older compacted blobs replaced.</param>
/// <param name="Records">Records in the files written.</param>
/// <param name="BytesBefore">Bytes of the replaced blobs.</param>
/// <param name="BytesAfter">Bytes of the compacted files.</param>
public sealed record CompactionResult(int Hours, int FilesReplaced, long Records, long BytesBefore, long BytesAfter);

/// <summary>
/// Merges a finished hour's part files (one per flush per instance, plus any JSON-lines blobs of earlier versions)
/// into one compacted Parquet file, then deletes the parts. The compacted file lists the blobs it replaces in its
/// metadata and readers skip those, so a compaction that stops between the write and the deletes shows no record
/// twice, and a part that arrives late (a spill uploaded after the outage) is simply merged by the next compaction.
/// </summary>
/// <remarks>
/// Parquet parts are merged by copying their row groups (Parquet.Net's <see cref="FileMerger"/>): no decoding, and the
/// memory held is the hour's compressed bytes (about 120 bytes a basket), not its records. JSON-lines blobs are
/// converted to a Parquet part first, which is also how <c>fraud log convert</c> turns an old log into Parquet.
/// </remarks>
public sealed class PredictionLogCompactor(IBlobStore store, TimeProvider? clock = null)
{
    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>
    /// An hour is finished once this long has passed since its end: late flushes (an instance's last interval, a
    /// spill uploaded after a short outage) land in it before it is compacted.
    /// </summary>
    public static TimeSpan Grace { get; } = TimeSpan.FromMinutes(15);

    /// <summary>Compacts every finished hour of the last <paramref name="lookback"/> that has more than one blob (or any JSON lines).</summary>
    public async Task<CompactionResult> CompactFinishedHoursAsync(TimeSpan lookback, CancellationToken ct = default)
    {
        var now = _clock.GetUtcNow();
        var lastFinished = Floor(now - Grace).AddHours(-1);
        var result = new CompactionResult(0, 0, 0, 0, 0);
        for (var hour = Floor(now - lookback); hour <= lastFinished; hour = hour.AddHours(1))
        {
            result = Add(result, await CompactHourAsync(hour, force: false, ct));
        }

        return result;
    }

    /// <summary>Compacts every hour folder in the log (finished or not when <paramref name="includeUnfinished"/>); converts all JSON lines.</summary>
    public async Task<CompactionResult> CompactAllAsync(bool includeUnfinished, CancellationToken ct = default)
    {
        var hours = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var blob in _store.ListAsync(Containers.Predictions, null, ct))
        {
            if (blob.Name.Length > 14 && blob.Name[13] == '/')
            {
                hours.Add(blob.Name[..14]);
            }
        }

        var lastFinished = Floor(_clock.GetUtcNow() - Grace).AddHours(-1);
        var result = new CompactionResult(0, 0, 0, 0, 0);
        foreach (var folder in hours)
        {
            if (!DateTimeOffset.TryParseExact(folder, "yyyy'/'MM'/'dd'/'HH'/'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var hour))
            {
                continue;
            }

            if (includeUnfinished || hour <= lastFinished)
            {
                result = Add(result, await CompactHourAsync(hour, force: true, ct));
            }
        }

        return result;
    }

    /// <summary>Compacts one hour folder; with <paramref name="force"/>, a single JSON-lines blob is converted too.</summary>
    public async Task<CompactionResult> CompactHourAsync(DateTimeOffset hour, bool force, CancellationToken ct = default)
    {
        var prefix = PredictionLogFormat.HourPrefix(hour);
        var blobs = new List<BlobItemInfo>();
        await foreach (var blob in _store.ListAsync(Containers.Predictions, prefix, ct))
        {
            if (blob.Name.EndsWith(PredictionLogFormat.ParquetExtension, StringComparison.Ordinal) || blob.Name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal))
            {
                blobs.Add(blob);
            }
        }

        var hasJson = blobs.Exists(b => b.Name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal));
        if (blobs.Count == 0 || (blobs.Count == 1 && !(hasJson && force)))
        {
            return new CompactionResult(0, 0, 0, 0, 0);
        }

        var work = Directory.CreateTempSubdirectory("fraud-compact-");
        try
        {
            // Which blobs are live: the same rule as the reader (a compacted file hides the blobs it lists).
            var replaced = new HashSet<string>(StringComparer.Ordinal);
            var sources = new List<string>();
            var files = new List<FileInfo>();
            long records = 0, before = 0;
            foreach (var name in PredictionLogReader.OrderForReading(blobs.ConvertAll(b => b.Name)))
            {
                if (replaced.Contains(name))
                {
                    sources.Add(name); // already merged; deleted below with the rest
                    continue;
                }

                var download = await _store.GetAsync(Containers.Predictions, name, ct);
                if (download is null)
                {
                    continue;
                }

                var path = Path.Combine(work.FullName, string.Create(CultureInfo.InvariantCulture, $"{files.Count:D6}.parquet"));
                if (name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal))
                {
                    var parsed = new List<PredictionRecord>();
                    PredictionLogFormat.ReadLines(download.Content.Span, parsed);
                    if (parsed.Count > 0)
                    {
                        await using var file = File.Create(path);
                        await PredictionParquet.WriteAsync(file, parsed, 0, parsed.Count, null, ct);
                        files.Add(new FileInfo(path));
                        records += parsed.Count;
                    }
                }
                else
                {
                    await File.WriteAllBytesAsync(path, download.Content.ToArray(), ct);
                    await using (var file = File.OpenRead(path))
                    {
                        var meta = await PredictionParquet.ReadMetadataAsync(file, ct);
                        records += meta.Records;
                        foreach (var source in meta.CompactedFrom)
                        {
                            replaced.Add(source);
                        }
                    }

                    files.Add(new FileInfo(path));
                }

                sources.Add(name);
                before += download.Content.Length;
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [PredictionParquet.SchemaVersionKey] = PredictionParquet.SchemaVersion.ToString(CultureInfo.InvariantCulture),
                [PredictionParquet.RecordsKey] = records.ToString(CultureInfo.InvariantCulture),
                [PredictionParquet.CompactedFromKey] = string.Join('\n', sources),
            };
            byte[] merged;
            using (var output = new MemoryStream())
            {
                if (files.Count > 0)
                {
                    await using var merger = new FileMerger(files);
                    await merger.MergeFilesAsync(output, PredictionParquet.Options, ct, metadata);
                }
                else
                {
                    await PredictionParquet.WriteAsync(output, [], 0, 0, metadata, ct);
                }

                merged = output.ToArray();
            }

            // Named after now, or just after the newest compacted file when a clock says otherwise: a newer compacted
            // file must sort after the one it absorbs (readers take compacted files newest first).
            var writtenAt = _clock.GetUtcNow();
            foreach (var name in blobs.ConvertAll(b => b.Name).Where(PredictionLogFormat.IsCompacted))
            {
                var existing = PredictionLogFormat.CompactedTime(name);
                if (existing >= writtenAt)
                {
                    writtenAt = existing.AddTicks(1);
                }
            }

            await _store.PutAsync(Containers.Predictions, PredictionLogFormat.CompactedName(hour, writtenAt), merged, BlobWriteCondition.IfNotExists, PredictionLogFormat.ParquetContentType, ct);
            foreach (var source in sources)
            {
                await _store.DeleteAsync(Containers.Predictions, source, ct);
            }

            return new CompactionResult(1, sources.Count, records, before, merged.Length);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private static CompactionResult Add(CompactionResult a, CompactionResult b) =>
        new(a.Hours + b.Hours, a.FilesReplaced + b.FilesReplaced, a.Records + b.Records, a.BytesBefore + b.BytesBefore, a.BytesAfter + b.BytesAfter);
}
