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

        var batch = new List<PredictionRecord>();
        foreach (var prefix in Prefixes(from, to))
        {
            await foreach (var blob in _store.ListAsync(Containers.Predictions, prefix, ct))
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
