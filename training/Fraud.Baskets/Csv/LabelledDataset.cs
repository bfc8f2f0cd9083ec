namespace Fraud.Baskets;

/// <summary>Baskets joined with their labels: <c>Labels[i]</c> is the fraud flag of <c>Baskets[i]</c>.</summary>
public sealed class LabelledDataset(IReadOnlyList<Basket> baskets, bool[] labels, JoinReport join, CsvReadStats stats)
{
    public IReadOnlyList<Basket> Baskets { get; } = baskets;

    public bool[] Labels { get; } = labels;

    /// <summary>How features and labels matched on ID.</summary>
    public JoinReport Join { get; } = join;

    /// <summary>Rows read and skipped from the features file.</summary>
    public CsvReadStats Stats { get; } = stats;

    /// <summary>Share of baskets labelled fraud (0 when empty).</summary>
    public double FraudRate
    {
        get
        {
            var frauds = 0;
            foreach (var label in Labels)
            {
                frauds += label ? 1 : 0;
            }

            return Labels.Length == 0 ? 0 : (double)frauds / Labels.Length;
        }
    }
}

/// <summary>
/// The outcome of joining features and labels on ID: how many matched, how many were on one side only
/// (with a few example ids) and how many feature rows repeated an id already seen (kept once).
/// </summary>
public sealed record JoinReport(
    int Matched,
    int FeaturesWithoutLabel,
    IReadOnlyList<string> FeaturesWithoutLabelExamples,
    int LabelsWithoutFeatures,
    IReadOnlyList<string> LabelsWithoutFeaturesExamples,
    int DuplicateIds)
{
    /// <summary>True when every basket had a label, every label a basket, and no id repeated.</summary>
    public bool IsComplete => FeaturesWithoutLabel == 0 && LabelsWithoutFeatures == 0 && DuplicateIds == 0;

    // A skipped bad row can leave an empty id behind: name it, rather than print "(e.g. )" (issue 19, item 14).
    private static string Examples(IReadOnlyList<string> ids) =>
        ids.Count == 0 ? string.Empty : $" (e.g. {string.Join(", ", ids.Select(id => string.IsNullOrWhiteSpace(id) ? "an empty id" : id))})";

    public override string ToString()
    {
        var text = $"{Matched} baskets joined with labels";
        if (FeaturesWithoutLabel > 0)
        {
            text += $"; {FeaturesWithoutLabel} without a label{Examples(FeaturesWithoutLabelExamples)}";
        }

        if (LabelsWithoutFeatures > 0)
        {
            text += $"; {LabelsWithoutFeatures} labels without a basket{Examples(LabelsWithoutFeaturesExamples)}";
        }

        if (DuplicateIds > 0)
        {
            text += $"; {DuplicateIds} repeated ids ignored";
        }

        return text;
    }
}

/// <summary>Collects the join counts while the features stream past.</summary>
/// <remarks>
/// With <c>keepIds: false</c> (streaming statistics) repeated ids are not detected and labels without
/// features are counted from the number matched, so memory stays flat.
/// </remarks>
internal sealed class JoinBuilder(bool keepIds = true)
{
    private const int MaxExamples = 5;
    private readonly HashSet<string>? _seen = keepIds ? new(StringComparer.Ordinal) : null;
    private readonly List<string> _unlabelled = [];
    private int _matched;
    private int _withoutLabel;
    private int _duplicates;

    /// <summary>True when the basket joins and should be kept.</summary>
    public bool Accept(string id, bool hasLabel)
    {
        if (_seen is not null && !_seen.Add(id))
        {
            _duplicates++;
            return false;
        }

        if (!hasLabel)
        {
            _withoutLabel++;
            if (_unlabelled.Count < MaxExamples)
            {
                _unlabelled.Add(id);
            }

            return false;
        }

        _matched++;
        return true;
    }

    public JoinReport Finish(IReadOnlyDictionary<string, bool>? labels)
    {
        var orphans = 0;
        var examples = new List<string>();
        if (labels is not null && _seen is null)
        {
            orphans = Math.Max(0, labels.Count - _matched);
        }
        else if (labels is not null && _seen is not null)
        {
            foreach (var id in labels.Keys)
            {
                if (_seen.Contains(id))
                {
                    continue;
                }

                orphans++;
                if (examples.Count < MaxExamples)
                {
                    examples.Add(id);
                }
            }
        }

        return new JoinReport(_matched, _withoutLabel, _unlabelled, orphans, examples, _duplicates);
    }
}
