using Fraud.Baskets;

namespace Fraud.Monitoring;

/// <summary>A scored basket whose truth is now known.</summary>
public sealed record LabelledPrediction(Basket Basket, bool IsFraud, DateTimeOffset ScoredAt, DateTimeOffset LabelledAt);

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
        var latestLabel = LabelStore.LatestById(labels);
        var latestScore = new Dictionary<string, PredictionRecord>(StringComparer.Ordinal);
        var total = 0;
        foreach (var record in predictions)
        {
            total++;
            if (!latestScore.TryGetValue(record.Basket.Id, out var seen) || record.ScoredAt > seen.ScoredAt)
            {
                latestScore[record.Basket.Id] = record;
            }
        }

        var matched = new List<LabelledPrediction>();
        var orphans = 0;
        foreach (var (id, label) in latestLabel)
        {
            if (latestScore.TryGetValue(id, out var record))
            {
                matched.Add(new LabelledPrediction(record.Basket, label.FraudFlag, record.ScoredAt, label.ObservedAt));
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
    public static TrainingSet Build(IReadOnlyList<Basket>? baseBaskets, IReadOnlyList<bool>? baseLabels, IReadOnlyList<LabelledPrediction> labelled, double holdoutFraction, int minHoldout)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentOutOfRangeException.ThrowIfNegative(holdoutFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(holdoutFraction, 1.0);
        var set = new TrainingSet { LabelledRows = labelled.Count };
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
        return set;
    }
}
