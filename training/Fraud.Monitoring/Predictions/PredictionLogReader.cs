using System.Runtime.CompilerServices;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring;

/// <summary>Reads the prediction log back: a time window lists only the hour folders it covers.</summary>
public sealed class PredictionLogReader(IBlobStore store)
{
    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Malformed lines skipped by the reads so far.</summary>
    public int SkippedLines { get; private set; }

    /// <summary>Records scored in [<paramref name="from"/>, <paramref name="to"/>), oldest blob first.</summary>
    public async IAsyncEnumerable<PredictionRecord> ReadWindowAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (to <= from)
        {
            yield break;
        }

        var hour = new DateTimeOffset(from.UtcDateTime.Year, from.UtcDateTime.Month, from.UtcDateTime.Day, from.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
        var batch = new List<PredictionRecord>();
        for (; hour < to; hour = hour.AddHours(1))
        {
            await foreach (var blob in _store.ListAsync(Containers.Predictions, PredictionLogFormat.HourPrefix(hour), ct))
            {
                batch.Clear();
                await ReadBlobAsync(blob.Name, batch, ct);
                foreach (var record in batch)
                {
                    if (record.ScoredAt >= from && record.ScoredAt < to)
                    {
                        yield return record;
                    }
                }
            }
        }
    }

    /// <summary>Every record in the log (for joining labels when retraining).</summary>
    public async IAsyncEnumerable<PredictionRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var batch = new List<PredictionRecord>();
        await foreach (var blob in _store.ListAsync(Containers.Predictions, null, ct))
        {
            if (!blob.Name.EndsWith(".jsonl", StringComparison.Ordinal))
            {
                continue;
            }

            batch.Clear();
            await ReadBlobAsync(blob.Name, batch, ct);
            foreach (var record in batch)
            {
                yield return record;
            }
        }
    }

    private async Task ReadBlobAsync(string name, List<PredictionRecord> into, CancellationToken ct)
    {
        // A blob listed a moment ago may have been deleted by retention since: nothing to read then.
        var download = await _store.GetAsync(Containers.Predictions, name, ct);
        if (download is not null)
        {
            SkippedLines += PredictionLogFormat.ReadLines(download.Content.Span, into);
        }
    }
}
