using System.Runtime.CompilerServices;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring;

/// <summary>
/// Reads the prediction log back: a time window lists only the hour folders it covers. Reads Parquet parts column by
/// column (<see cref="PredictionParquet.Columns"/>), compacted files in place of the parts they list, and the JSON-lines
/// blobs of earlier versions.
/// </summary>
public sealed class PredictionLogReader(IBlobStore store)
{
    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Malformed lines skipped by the reads so far (JSON-lines blobs only).</summary>
    public int SkippedLines { get; private set; }

    /// <summary>Records scored in [<paramref name="from"/>, <paramref name="to"/>), oldest folder first.</summary>
    public async IAsyncEnumerable<PredictionRecord> ReadWindowAsync(DateTimeOffset from, DateTimeOffset to, PredictionParquet.Columns columns = PredictionParquet.Columns.All, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (to <= from)
        {
            yield break;
        }

        foreach (var prefix in Prefixes(from, to))
        {
            await foreach (var record in ReadPrefixAsync(prefix, columns, ct))
            {
                if (record.ScoredAt >= from && record.ScoredAt < to)
                {
                    yield return record;
                }
            }
        }
    }

    /// <summary>Records scored in [<paramref name="from"/>, <paramref name="to"/>) (cancellation only).</summary>
    public IAsyncEnumerable<PredictionRecord> ReadWindowAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        ReadWindowAsync(from, to, PredictionParquet.Columns.All, ct);

    /// <summary>
    /// The folders that cover [<paramref name="from"/>, <paramref name="to"/>): a whole day inside the window is one
    /// listing of its day folder, the partial days at either end are listed hour by hour.
    /// </summary>
    public static IEnumerable<string> Prefixes(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.ToUniversalTime();
        var end = to.ToUniversalTime();
        for (var day = new DateTimeOffset(start.Year, start.Month, start.Day, 0, 0, 0, TimeSpan.Zero); day < end; day = day.AddDays(1))
        {
            if (day >= start && day.AddDays(1) <= end)
            {
                yield return PredictionLogFormat.HourPrefix(day)[..11];
                continue;
            }

            for (var hour = day; hour < day.AddDays(1) && hour < end; hour = hour.AddHours(1))
            {
                if (hour.AddHours(1) > start)
                {
                    yield return PredictionLogFormat.HourPrefix(hour);
                }
            }
        }
    }

    /// <summary>Every record in the log (for joining labels when retraining).</summary>
    public IAsyncEnumerable<PredictionRecord> ReadAllAsync(CancellationToken ct = default) => ReadPrefixAsync(null, PredictionParquet.Columns.All, ct);

    /// <summary>
    /// The blobs under <paramref name="prefix"/> that hold the log: compacted files (newest first) and every part or
    /// JSON-lines blob that no compacted file replaces. A part listed by a compacted file is skipped even when its
    /// deletion failed, so a compaction interrupted half-way never shows a record twice.
    /// </summary>
    public async IAsyncEnumerable<PredictionRecord> ReadPrefixAsync(string? prefix, PredictionParquet.Columns columns, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var names = new List<string>();
        await foreach (var blob in _store.ListAsync(Containers.Predictions, prefix, ct))
        {
            if (blob.Name.EndsWith(PredictionLogFormat.ParquetExtension, StringComparison.Ordinal) || blob.Name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<PredictionRecord>();
        foreach (var name in OrderForReading(names))
        {
            if (replaced.Contains(name))
            {
                continue;
            }

            batch.Clear();
            var download = await _store.GetAsync(Containers.Predictions, name, ct);
            if (download is null)
            {
                continue; // deleted since the listing (retention or compaction): a compacted file holds it
            }

            if (name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal))
            {
                SkippedLines += PredictionLogFormat.ReadLines(download.Content.Span, batch);
            }
            else
            {
                using var stream = new ReadOnlyMemoryStream(download.Content);
                if (PredictionLogFormat.IsCompacted(name))
                {
                    foreach (var source in (await PredictionParquet.ReadMetadataAsync(stream, ct)).CompactedFrom)
                    {
                        replaced.Add(source);
                    }

                    stream.Position = 0;
                }

                await PredictionParquet.ReadAsync(stream, batch, columns, ct);
            }

            foreach (var record in batch)
            {
                yield return record;
            }
        }
    }

    /// <summary>Compacted files first, newest first (a newer one lists the older one it absorbed), then the rest in name order.</summary>
    public static IEnumerable<string> OrderForReading(List<string> names) =>
        names.Where(PredictionLogFormat.IsCompacted).Order(StringComparer.Ordinal).Reverse()
            .Concat(names.Where(n => !PredictionLogFormat.IsCompacted(n)).Order(StringComparer.Ordinal));

    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> content) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => content.Length;

        public override long Position
        {
            get => _position;
            set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var available = (int)Math.Max(0, Math.Min(buffer.Length, content.Length - _position));
            content.Span.Slice((int)_position, available).CopyTo(buffer);
            _position += available;
            return available;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => content.Length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
