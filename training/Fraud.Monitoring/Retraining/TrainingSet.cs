using Fraud.Baskets;

namespace Fraud.Monitoring;

/// <summary>A scored basket whose truth is now known, and who said so (<see cref="FraudLabel.Source"/>).</summary>
public sealed record LabelledPrediction(Basket Basket, bool IsFraud, DateTimeOffset ScoredAt, DateTimeOffset LabelledAt, string Source = "");

/// <summary>How predictions and labels matched on basket id.</summary>
public sealed record LabelJoin(IReadOnlyList<LabelledPrediction> Matched, int Predictions, int Labels, int LabelsWithoutPrediction);

/// <summary>What the challenger trains on and what the gate judges on.</summary>
public sealed class TrainingSet
{
    public List<Basket> TrainBaskets { get; } = [];

    public List<bool> TrainLabels { get; } = [];

    /// <summary>The most recently scored labelled baskets, kept out of training.</summary>
    public List<Basket> HoldoutBaskets { get; } = [];

    public List<bool> HoldoutLabels { get; } = [];

    public int BaseRows { get; set; }

    /// <summary>Base rows dropped because the same basket id came back with a (newer) label.</summary>
    public int BaseRowsReplaced { get; set; }

    public int LabelledRows { get; set; }

    /// <summary>Training rows left out by the cap on the training set's size (<see cref="TrainingSetBuilder.CapTrainingRows"/>): older non-frauds.</summary>
    public int RowsOverCap { get; set; }

    /// <summary>Labelled rows left out because their source was over its share (<see cref="TrainingSetBuilder.CapSources"/>), by source.</summary>
    public Dictionary<string, int> CappedBySource { get; } = new(StringComparer.Ordinal);

    /// <summary>The earliest scoring time in the holdout: every training row from traffic is older.</summary>
    public DateTimeOffset? HoldoutFrom { get; set; }

    public int HoldoutFrauds => HoldoutLabels.Count(l => l);
}

/// <summary>
/// Joins the prediction log with the labels and splits by time: training = base set + older labelled traffic,
/// holdout = the newest labelled traffic. Every basket id appears once (the latest scoring of it; the latest label).
/// </summary>
public static class TrainingSetBuilder
{
    /// <summary>Matches labels to predictions on id; a label whose basket is not in the log is counted, not lost (it stays stored).</summary>
    public static LabelJoin Join(IEnumerable<PredictionRecord> predictions, IEnumerable<FraudLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        var join = new Joiner(labels);
        foreach (var record in predictions)
        {
            join.Add(record);
        }

        return join.Finish();
    }

    /// <summary>
    /// <see cref="Join(IEnumerable{PredictionRecord}, IEnumerable{FraudLabel})"/> over a stream of the log (the monitoring
    /// job passes the reader itself): only records whose basket has a label are held, one per id, so memory follows the
    /// labelled baskets rather than everything logged in the lookback.
    /// </summary>
    public static async Task<LabelJoin> JoinAsync(IAsyncEnumerable<PredictionRecord> predictions, IEnumerable<FraudLabel> labels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        var join = new Joiner(labels);
        await foreach (var record in predictions.WithCancellation(ct))
        {
            join.Add(record);
        }

        return join.Finish();
    }

    private sealed class Joiner(IEnumerable<FraudLabel> labels)
    {
        private readonly Dictionary<string, FraudLabel> _latestLabel = LabelStore.LatestById(labels);
        private readonly Dictionary<string, PredictionRecord> _latestScore = new(StringComparer.Ordinal);
        private int _total;

        public void Add(PredictionRecord record)
        {
            _total++;
            // A record without a label can never be matched: not keeping it is what bounds the join's memory.
            if (_latestLabel.ContainsKey(record.Basket.Id)
                && (!_latestScore.TryGetValue(record.Basket.Id, out var seen) || record.ScoredAt > seen.ScoredAt))
            {
                _latestScore[record.Basket.Id] = record;
            }
        }

        public LabelJoin Finish() => Match(_latestLabel, _latestScore, _total);
    }

    private static LabelJoin Match(Dictionary<string, FraudLabel> latestLabel, Dictionary<string, PredictionRecord> latestScore, int total)
    {
        var matched = new List<LabelledPrediction>();
        var orphans = 0;
        foreach (var (id, label) in latestLabel)
        {
            if (latestScore.TryGetValue(id, out var record))
            {
                matched.Add(new LabelledPrediction(record.Basket, label.FraudFlag, record.ScoredAt, label.ObservedAt, label.Source));
            }
            else
            {
                orphans++;
            }
        }

        // Deterministic order whatever the dictionary did: by scoring time, then id.
        matched.Sort(static (a, b) => a.ScoredAt.CompareTo(b.ScoredAt) is var c && c != 0 ? c : string.CompareOrdinal(a.Basket.Id, b.Basket.Id));
        return new LabelJoin(matched, total, latestLabel.Count, orphans);
    }

    /// <summary>
    /// Builds the training set and the holdout: the newest <paramref name="holdoutFraction"/> of the labelled traffic
    /// (at least <paramref name="minHoldout"/> rows when there are that many) is held out.
    /// </summary>
    public static TrainingSet Build(IReadOnlyList<Basket>? baseBaskets, IReadOnlyList<bool>? baseLabels, IReadOnlyList<LabelledPrediction> labelled, double holdoutFraction, int minHoldout, double maxSourceShare = 1.0, int maxTrainingRows = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentOutOfRangeException.ThrowIfNegative(holdoutFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(holdoutFraction, 1.0);
        var capped = CapSources(labelled, maxSourceShare, out var left);
        labelled = capped;
        var set = new TrainingSet { LabelledRows = labelled.Count };
        foreach (var (source, count) in left)
        {
            set.CappedBySource[source] = count;
        }

        var holdoutCount = Math.Min(labelled.Count, Math.Max((int)Math.Round(labelled.Count * holdoutFraction), minHoldout));
        var firstHoldout = labelled.Count - holdoutCount;
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in labelled)
        {
            fresh.Add(row.Basket.Id);
        }

        if (baseBaskets is not null && baseLabels is not null)
        {
            for (var i = 0; i < baseBaskets.Count; i++)
            {
                if (fresh.Contains(baseBaskets[i].Id))
                {
                    set.BaseRowsReplaced++;
                    continue;
                }

                set.TrainBaskets.Add(baseBaskets[i]);
                set.TrainLabels.Add(baseLabels[i]);
                set.BaseRows++;
            }
        }

        for (var i = 0; i < labelled.Count; i++)
        {
            var (baskets, labels) = i < firstHoldout ? (set.TrainBaskets, set.TrainLabels) : (set.HoldoutBaskets, set.HoldoutLabels);
            baskets.Add(labelled[i].Basket);
            labels.Add(labelled[i].IsFraud);
        }

        set.HoldoutFrom = holdoutCount > 0 ? labelled[firstHoldout].ScoredAt : null;
        set.RowsOverCap = CapTrainingRows(set.TrainBaskets, set.TrainLabels, maxTrainingRows);
        return set;
    }

    /// <summary>
    /// Bounds the training rows at <paramref name="maxRows"/> (training memory and time grow linearly with them, and
    /// the set otherwise grows with traffic × lookback): every fraud is kept, then non-frauds newest first, the rest are
    /// removed. The rows are in age order, base set first (oldest) and labelled traffic by scoring time, so newest first
    /// is from the end; the kept rows keep their order. Returns how many rows were removed. When the frauds alone are
    /// more than the cap, they are all kept and every non-fraud goes.
    /// </summary>
    /// <remarks>
    /// Keeping every fraud raises the fraud rate of a capped set above the traffic's; the challenger's calibration and
    /// thresholds are then fitted at that rate, which is why the gate compares champion and challenger on the holdout
    /// (never capped, real rate). The cap removes nothing below <see cref="MonitoringOptions.MaxTrainingRows"/> rows.
    /// </remarks>
    public static int CapTrainingRows(List<Basket> baskets, List<bool> labels, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        if (baskets.Count <= maxRows)
        {
            return 0;
        }

        var frauds = labels.Count(l => l);
        var nonFraudsKept = Math.Max(0, maxRows - frauds);
        var keep = new bool[baskets.Count];
        for (var i = baskets.Count - 1; i >= 0; i--)
        {
            if (labels[i])
            {
                keep[i] = true;
            }
            else if (nonFraudsKept > 0)
            {
                keep[i] = true;
                nonFraudsKept--;
            }
        }

        var at = 0;
        for (var i = 0; i < baskets.Count; i++)
        {
            if (keep[i])
            {
                baskets[at] = baskets[i];
                labels[at] = labels[i];
                at++;
            }
        }

        var removed = baskets.Count - at;
        baskets.RemoveRange(at, removed);
        labels.RemoveRange(at, removed);
        return removed;
    }

    /// <summary>
    /// Keeps at most <paramref name="maxShare"/> of the rows from any one label source: the largest level m such that
    /// no source keeps more than m rows and m is at most <paramref name="maxShare"/> of all rows kept (the other sources
    /// are kept whole unless they are over m too). A source over its share keeps rows spread evenly over time (every
    /// k-th in scoring order), so the newest rows the gate holds out have about the same mix as the rest. With labels
    /// from one source only there is nothing to weigh it against and every row is kept; a share of 1 turns the cap off.
    /// </summary>
    /// <remarks>
    /// The source is what the caller of <c>POST /api/labels</c> declared: the cap stops one feed (a broken integration,
    /// one partner's back office) from flooding what retraining and the gate trust; it cannot stop a key holder that
    /// lies about the source, which is what the function key is for.
    /// </remarks>
    public static List<LabelledPrediction> CapSources(IReadOnlyList<LabelledPrediction> labelled, double maxShare, out Dictionary<string, int> leftOut)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxShare, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxShare, 1.0);
        leftOut = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in labelled)
        {
            counts[row.Source] = counts.GetValueOrDefault(row.Source) + 1;
        }

        if (maxShare >= 1.0 || counts.Count < 2)
        {
            return [.. labelled];
        }

        // f(m) = share * sum(min(c, m)) - m is concave with f(0) = 0, so {m : f(m) >= 0} is [0, m*]: binary search.
        var largest = counts.Values.Max();
        long Kept(int m) => counts.Values.Sum(c => (long)Math.Min(c, m));
        int lo = 0, hi = largest;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if (mid <= maxShare * Kept(mid) + 1e-9)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var level = lo;
        var keep = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (source, count) in counts)
        {
            keep[source] = Math.Min(count, level);
            if (count > level)
            {
                leftOut[source] = count - level;
            }
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<LabelledPrediction>(labelled.Count);
        foreach (var row in labelled)
        {
            // Row i of a source with c rows is kept when floor((i + 1) * k / c) > floor(i * k / c): k rows evenly spread.
            var i = seen.GetValueOrDefault(row.Source);
            seen[row.Source] = i + 1;
            long c = counts[row.Source], k = keep[row.Source];
            if ((i + 1) * k / c > i * k / c)
            {
                result.Add(row);
            }
        }

        return result;
    }
}
