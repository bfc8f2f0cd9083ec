using System.Globalization;
using Fraud.Baskets;

namespace Fraud.Model.Drift;

/// <summary>
/// The verdict's reason as one sentence in the fraud team's words: what moved in the baskets (product mix, prices
/// like for like, basket size, units, new goods codes, warranty and delivery lines, the score), strongest first, then
/// what the two-sample classifier relied on. A clause appears only when its own test says the change is beyond
/// sampling noise at the column false-alarm rate, so the sentence never reports noise as news.
/// </summary>
public static class DriftReason
{
    private const int MaxClauses = 3;

    /// <summary>Builds the reason of a judged report.</summary>
    public static string Explain(DriftReport report, ReferenceProfile reference, IReadOnlyList<Basket> baskets, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        var z = DriftStatistics.NormalQuantile(1 - options.ColumnFalseAlarmRate);
        var clauses = new List<(double Strength, string Text)>();
        foreach (var input in report.Inputs)
        {
            if (input.Z >= z && Clause(input) is { } text)
            {
                clauses.Add((input.Z, text));
            }
        }

        if (reference.Inputs?.Prices is { } prices && prices.Compare(baskets) is { } change && Math.Abs(change.Z) >= z)
        {
            clauses.Add((Math.Abs(change.Z), "prices " + Percent(change.Change, signed: true) + " like for like"));
        }

        if (report.Score.Z >= z && report.Score.ReferenceMean is { } before && report.Score.CurrentMean is { } after)
        {
            clauses.Add((report.Score.Z, $"mean fraud score {Percent(before)} → {Percent(after)}"));
        }

        var named = clauses.OrderByDescending(c => c.Strength).Select(c => c.Text).Distinct(StringComparer.Ordinal).Take(MaxClauses).ToList();
        var classifier = report.Classifier is { Skipped: null } c2 ? c2 : null;
        if (report.Verdict == DriftStatus.Ok)
        {
            var auc = classifier is null ? string.Empty : Invariant($"classifier AUC {classifier.Auc:F3}, warning from {classifier.WarnAuc:F3}; ");
            return $"no shift beyond sampling noise ({auc}no input signal drifted)";
        }

        if (classifier is not null && classifier.Status != DriftStatus.Ok)
        {
            var top = string.Join(", ", classifier.TopFeatures.Take(3).Select(f => f.Name));
            var lead = named.Count == 0 ? "baskets differ from the training data in a way no single basket signal shows: " : string.Empty;
            named.Add(lead + Invariant($"a classifier tells the window from the training data (AUC {classifier.Auc:F3}, {classifier.Status} from {(classifier.Status == DriftStatus.Alert ? classifier.AlertAuc : classifier.WarnAuc):F3})") + (top.Length == 0 ? string.Empty : " mostly by " + top));
        }

        if (named.Count == 0)
        {
            // The verdict came from model features or the score alone; name the strongest.
            var feature = report.Features.FirstOrDefault(f => f.Drifted);
            named.Add(feature is not null
                ? Invariant($"model feature {feature.Name} moved (PSI {feature.Psi:F2})")
                : Invariant($"the score distribution moved (PSI {report.ScorePsi:F2})"));
        }

        return string.Join("; ", named);
    }

    private static string? Clause(FeatureDrift input)
    {
        switch (input.Name)
        {
            case CategoricalProfile.ItemCategory:
                return "product mix moved: " + Shares(input);
            case CategoricalProfile.Make:
                return "makes moved: " + Shares(input);
            case InputSignals.Lines when Means(input) is { } means:
                return Invariant($"basket size {means.Before:F2} → {means.After:F2} lines");
            case InputSignals.Quantity when Means(input) is { } means:
                return Invariant($"units per line {means.Before:F2} → {means.After:F2}");
            case InputSignals.Total when Means(input) is { } means && means.Before > 0:
                return "basket totals " + Percent((means.After / means.Before) - 1, signed: true);
            case InputSignals.HasWarranty when Means(input) is { } means:
                return $"baskets with a warranty line {Percent(means.Before)} → {Percent(means.After)}";
            case InputSignals.HasFulfilment when Means(input) is { } means:
                return $"baskets with delivery {Percent(means.Before)} → {Percent(means.After)}";
            case InputSignals.GoodsCodeUnseen when input.Reference.Length == 2 && input.Current.Length == 2:
                return $"unseen goods codes {Percent(input.Reference[1])} → {Percent(input.Current[1])} of lines";
            default:
                // Unit price, max unit price, units and distinct categories follow from the clauses above.
                return null;
        }
    }

    /// <summary>The two categories whose share moved most (by their PSI term), as "A share x % → y %".</summary>
    private static string Shares(FeatureDrift input)
    {
        var moved = Enumerable.Range(0, Math.Min(input.Bins.Length, Math.Min(input.Reference.Length, input.Current.Length)))
            .Select(i => (i, Term: Term(input.Reference[i], input.Current[i])))
            .OrderByDescending(t => t.Term)
            .Take(2)
            .Select(t => $"{input.Bins[t.i]} share {Percent(input.Reference[t.i])} → {Percent(input.Current[t.i])}");
        return string.Join(", ", moved);
    }

    private static double Term(double e, double a)
    {
        e = Math.Max(e, 1e-4);
        a = Math.Max(a, 1e-4);
        return (a - e) * Math.Log(a / e);
    }

    private static (double Before, double After)? Means(FeatureDrift input) =>
        input.ReferenceMean is { } before && input.CurrentMean is { } after ? (before, after) : null;

    private static string Percent(double share, bool signed = false)
    {
        var value = share * 100;
        var digits = Math.Abs(value) >= 10 ? "F0" : "F1";
        var text = value.ToString(digits, CultureInfo.InvariantCulture);
        return (signed && value >= 0 ? "+" : string.Empty) + text + " %";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
