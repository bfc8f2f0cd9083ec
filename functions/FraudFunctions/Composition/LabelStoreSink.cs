using Fraud.Monitoring;
using FraudFunctions.Labels;

namespace FraudFunctions.Composition;

/// <summary>
/// Stores posted labels in the <c>labels</c> container through the monitoring project's <see cref="LabelStore"/>, after two
/// checks against the store: every basket was scored within the label lookback (<see cref="ScoredBasketIndex"/>), and
/// each label changes the one in force for its basket (<see cref="LabelStore.InForceAsync"/>), so a label posted twice is
/// stored once.
/// </summary>
/// <remarks>
/// A basket scored in the last seconds may still be in this instance's prediction-log buffer (flushed every 5 s): on an
/// unknown id the buffer is flushed and the lookup repeated once, so a client that scores then labels at once (the
/// simulator, the tests) is not refused. Another instance's buffer is not reachable; its flush lands within seconds and
/// the 400 says to retry. Two concurrent requests with the same new label may both store it: the reader's
/// one-label-per-basket rule (newest observedAt, later arrival on a tie) makes the copy change nothing, and the next
/// label compaction removes it.
/// </remarks>
public sealed class LabelStoreSink(LabelStore store, ScoredBasketIndex scored, IPredictionLog log, TimeProvider time) : ILabelSink
{
    private static readonly TimeSpan Lookback = new MonitoringOptions().LabelLookback;

    // At most one flush forced by unknown ids per second: a client posting unknown ids cannot turn each request into a
    // blob write (the periodic flush runs every 5 s anyway).
    private static readonly TimeSpan ForcedFlushSpacing = TimeSpan.FromSeconds(1);
    private long _lastForcedFlush;

    public async Task<LabelsOutcome> RecordAsync(IReadOnlyList<ValidLabel> labels, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var now = time.GetUtcNow();
        var (from, to) = (now - Lookback, now.AddMinutes(1));
        var ids = labels.Select(l => l.Id).Distinct(StringComparer.Ordinal).ToList();
        var found = await scored.FindScoredAsync(ids, from, to, ct);
        var ticks = now.UtcTicks;
        var last = Interlocked.Read(ref _lastForcedFlush);
        if (found.Count < ids.Count && log is BufferedPredictionLog buffered && ticks - last >= ForcedFlushSpacing.Ticks && Interlocked.CompareExchange(ref _lastForcedFlush, ticks, last) == last)
        {
            await buffered.FlushAsync(ct);
            found.UnionWith(await scored.FindScoredAsync(ids.Where(id => !found.Contains(id)), from, to, ct));
        }

        scored.Forget(from);
        var notScored = new List<int>();
        for (var i = 0; i < labels.Count; i++)
        {
            if (!found.Contains(labels[i].Id))
            {
                notScored.Add(i);
            }
        }

        if (notScored.Count > 0)
        {
            return new LabelsOutcome(0, 0, notScored);
        }

        var inForce = await store.InForceAsync(ids, from, to, ct);
        var toStore = new List<FraudLabel>(labels.Count);
        foreach (var l in labels)
        {
            var label = new FraudLabel(l.Id, l.FraudFlag, l.Source, l.ObservedAt);
            if (inForce.TryGetValue(label.Id, out var current) && current.Covers(label))
            {
                continue;
            }

            // Later labels of the same request are judged against this one, as if posted one after another.
            inForce[label.Id] = LabelStamp.Of(label);
            toStore.Add(label);
        }

        await store.AppendAsync(toStore, ct);
        return new LabelsOutcome(toStore.Count, labels.Count - toStore.Count, []);
    }
}
