using System.Globalization;
using Fraud.Baskets;
using Fraud.Learning;

namespace Fraud.Model.Drift;

/// <summary>
/// Compares current baskets (their features and scores, computed by the same model) with a <see cref="ReferenceProfile"/>.
/// Deterministic: no sampling, the same inputs always give the same report.
/// </summary>
public static class DriftCalculator
{
    /// <summary>Runs the check on a feature matrix built by the same featurizer as the reference.</summary>
    public static DriftReport Compare(
        ReferenceProfile reference,
        IReadOnlyList<Basket> baskets,
        FeatureMatrix features,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null,
        IReadOnlyList<bool?>? labels = null,
        ClassifierTestResult? classifier = null,
        IReadOnlyList<FeatureImportance>? importance = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Compare(reference, baskets, features.Values, scores, options, labels, classifier, importance);
    }

    /// <summary>
    /// Runs the check. <paramref name="features"/> is row-major with one column per entry of
    /// <see cref="ReferenceProfile.Features"/>; <paramref name="scores"/> holds one probability per basket.
    /// <paramref name="labels"/>, when given, holds per basket 1 (fraud), 0 (genuine) or null (not yet known).
    /// <paramref name="classifier"/> is the classifier two-sample test of the same window, when it ran;
    /// <paramref name="importance"/> the model's feature importance (the card's), for the importance-weighted share.
    /// </summary>
    public static DriftReport Compare(
        ReferenceProfile reference,
        IReadOnlyList<Basket> baskets,
        ReadOnlySpan<float> features,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null,
        IReadOnlyList<bool?>? labels = null,
        ClassifierTestResult? classifier = null,
        IReadOnlyList<FeatureImportance>? importance = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(baskets);
        options ??= new DriftOptions();
        options.Validate();
        var rows = baskets.Count;
        var columns = reference.Features.Count;
        if (features.Length != (long)rows * columns)
        {
            throw new ArgumentException($"The reference profile has {columns} features but the matrix holds {features.Length} values for {rows} baskets; was it built by another model?", nameof(features));
        }

        if (scores.Length != rows)
        {
            throw new ArgumentException($"{scores.Length} scores for {rows} baskets.", nameof(scores));
        }

        var report = new DriftReport
        {
            ReferenceRows = reference.Rows,
            CurrentRows = rows,
            ExpectedFraudRate = reference.ExpectedFraudRate,
            DatasetDriftShare = options.DatasetDriftShare,
        };

        var column = new double[rows];
        for (var c = 0; c < columns; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                column[r] = features[(r * columns) + c];
            }

            report.Features.Add(CompareNumeric(reference.Features[c], column, "numeric", options));
        }

        foreach (var categorical in reference.Categories)
        {
            report.Features.Add(CompareCategorical(categorical, baskets, options));
        }

        if (reference.Inputs is { } inputs)
        {
            CompareInputs(report, inputs, baskets, options);
        }
        else
        {
            report.Warnings.Add("The model card has no input profile (trained before it existed): dataset drift is judged over the model's features, which understates a population shift. Retrain to get the input profile.");
        }

        double sum = 0;
        for (var r = 0; r < rows; r++)
        {
            column[r] = scores[r];
            sum += scores[r];
        }

        report.Score = CompareNumeric(reference.Score, column, "score", options);
        report.ScorePsi = report.Score.Psi;
        report.ScoreStatus = report.Score.Status;
        report.ObservedFraudRate = rows == 0 ? 0 : sum / rows;
        AddLabels(report, labels);

        report.FeatureCount = report.Features.Count;
        report.DriftedFeatures = report.Features.Count(f => f.Drifted);
        report.DriftedFeatureShare = report.FeatureCount == 0 ? 0 : report.DriftedFeatures / (double)report.FeatureCount;
        report.DriftedImportanceShare = ImportanceShare(report.Features, importance);
        report.InputCount = report.Inputs.Count;
        report.DriftedInputs = report.Inputs.Count(f => f.Drifted);
        var onInputs = report.InputCount > 0;
        report.DatasetDriftBasis = onInputs ? DriftReport.InputsBasis : DriftReport.FeaturesBasis;
        var (drifted, count) = onInputs ? (report.DriftedInputs, report.InputCount) : (report.DriftedFeatures, report.FeatureCount);
        report.DriftedShare = count == 0 ? 0 : drifted / (double)count;
        report.Features.Sort(ByPsi);
        report.Inputs.Sort(ByPsi);
        report.Classifier = classifier;
        if (classifier?.Skipped is { } skipped)
        {
            report.Warnings.Add("Classifier test not run: " + skipped + ".");
        }

        if (rows < options.MinRows)
        {
            report.Warnings.Add(string.Create(CultureInfo.InvariantCulture, $"Only {rows} baskets in the window (at least {options.MinRows} needed); no drift is declared on so few."));
            report.Reason = string.Create(CultureInfo.InvariantCulture, $"too few baskets to tell: {rows} in the window, at least {options.MinRows} needed");
            return report;
        }

        report.InputShareDrift = report.DriftedShare >= options.DatasetDriftShare;
        var classifierStatus = classifier is { Skipped: null } ? classifier.Status : DriftStatus.Ok;
        var alert = classifierStatus == DriftStatus.Alert
            || report.InputShareDrift
            || report.DriftedImportanceShare >= options.DatasetDriftShare
            || report.ScoreStatus == DriftStatus.Alert;
        var warn = classifierStatus == DriftStatus.Warn
            || report.DriftedInputs > 0
            || report.DriftedFeatures > 0
            || report.ScoreStatus == DriftStatus.Warn;
        report.Verdict = alert ? DriftStatus.Alert : warn ? DriftStatus.Warn : DriftStatus.Ok;
        report.Status = report.Verdict;
        report.Alert = alert;
        report.DatasetDrift = alert;
        report.Flagged = report.Verdict != DriftStatus.Ok;
        report.Reason = DriftReason.Explain(report, reference, baskets, options);
        return report;
    }

    private static double? ImportanceShare(List<FeatureDrift> features, IReadOnlyList<FeatureImportance>? importance)
    {
        if (importance is null || importance.Count == 0)
        {
            return null;
        }

        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in importance)
        {
            byName[item.Feature] = item.MeanAbsShap;
        }

        double total = 0, moved = 0;
        foreach (var feature in features)
        {
            var weight = byName.GetValueOrDefault(feature.Name);
            total += weight;
            moved += feature.Drifted ? weight : 0;
        }

        return total > 0 ? moved / total : null;
    }

    /// <summary>
    /// Reads a PSI over its sampling noise: the status and "drifted" flag need the PSI, less what two same-population
    /// samples of these sizes show on average, to reach the thresholds, and the PSI to be significant at
    /// <see cref="DriftOptions.ColumnFalseAlarmRate"/>. A small window's PSI is inflated by sampling alone; this keeps
    /// it from warning.
    /// </summary>
    internal static void Judge(FeatureDrift drift, ReadOnlySpan<long> reference, ReadOnlySpan<long> current, DriftOptions options)
    {
        long referenceTotal = 0, currentTotal = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            referenceTotal += reference[i];
            currentTotal += current[i];
        }

        var bins = DriftStatistics.OccupiedBins(reference, current);
        drift.ExpectedPsi = DriftStatistics.ExpectedPsi(bins, referenceTotal, currentTotal);
        drift.Z = DriftStatistics.PsiZ(drift.Psi, bins, referenceTotal, currentTotal);
        var significant = drift.Z >= DriftStatistics.NormalQuantile(1 - options.ColumnFalseAlarmRate);
        var excess = drift.Psi - drift.ExpectedPsi;
        drift.Status = significant ? DriftStatistics.StatusOf(excess, options) : DriftStatus.Ok;
        drift.Drifted = significant && excess >= options.FeatureDriftPsi;
    }

    private static int ByPsi(FeatureDrift a, FeatureDrift b) =>
        b.Psi.CompareTo(a.Psi) is var byPsi && byPsi != 0 ? byPsi : string.CompareOrdinal(a.Name, b.Name);

    private static void CompareInputs(DriftReport report, InputProfile inputs, IReadOnlyList<Basket> baskets, DriftOptions options)
    {
        var signals = InputSignals.Compute(baskets);
        foreach (var numeric in inputs.Numeric)
        {
            var index = Array.IndexOf(InputSignals.NumericNames, numeric.Name);
            if (index < 0)
            {
                report.Warnings.Add($"The input profile holds a signal this build does not compute ({numeric.Name}); it is left out.");
                continue;
            }

            report.Inputs.Add(CompareNumeric(numeric, signals.Column(index), "input", options));
        }

        foreach (var categorical in inputs.Categorical)
        {
            report.Inputs.Add(CompareCategorical(categorical, baskets, options));
        }

        if (inputs.GoodsCodes is { } novelty)
        {
            var counts = novelty.Count(baskets, 0, baskets.Count);
            var psi = DriftStatistics.Psi(novelty.Counts, counts, options.Epsilon);
            var drift = new FeatureDrift
            {
                Name = novelty.Name,
                Kind = "novelty",
                Psi = psi,
                Bins = ["seen", "unseen"],
                Reference = Shares(novelty.Counts),
                Current = Shares(counts),
            };
            Judge(drift, novelty.Counts, counts, options);
            report.Inputs.Add(drift);
        }
    }

    private static void AddLabels(DriftReport report, IReadOnlyList<bool?>? labels)
    {
        if (labels is null)
        {
            return;
        }

        int known = 0, fraud = 0;
        foreach (var label in labels)
        {
            if (label is { } isFraud)
            {
                known++;
                fraud += isFraud ? 1 : 0;
            }
        }

        report.LabelledRows = known;
        report.LabelledFraudRate = known == 0 ? null : fraud / (double)known;
    }

    private static FeatureDrift CompareNumeric(NumericProfile profile, double[] values, string kind, DriftOptions options)
    {
        var edges = profile.Edges;
        var counts = new long[edges.Length + 2];
        var grid = profile.Quantiles;
        var atGrid = new long[grid.Length + 1];
        long finite = 0;
        double sum = 0;
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                counts[^1]++;
                continue;
            }

            finite++;
            sum += v;
            counts[DriftStatistics.BinOf(edges, v)]++;
            if (grid.Length > 0)
            {
                atGrid[DriftStatistics.BinOf(grid, v)]++;
            }
        }

        var reference = new long[counts.Length];
        profile.Counts.AsSpan().CopyTo(reference);
        reference[^1] = profile.Missing;
        var psi = DriftStatistics.Psi(reference, counts, options.Epsilon);

        double? ks = null, pValue = null;
        var referenceFinite = profile.Total - profile.Missing;
        if (grid.Length > 0 && finite > 0)
        {
            // F_cur(q_g) = share of current values ≤ q_g: a value counts for every grid point at or above it.
            double cumulative = 0, d = 0;
            for (var g = 0; g < grid.Length; g++)
            {
                cumulative += atGrid[g];
                d = Math.Max(d, Math.Abs((cumulative / finite) - profile.CdfAtQuantiles[g]));
            }

            ks = d;
            pValue = DriftStatistics.KsPValue(d, referenceFinite, finite);
        }

        var drift = new FeatureDrift
        {
            Name = profile.Name,
            Kind = kind,
            Psi = psi,
            Ks = ks,
            KsPValue = pValue,
            ReferenceMean = profile.Mean,
            CurrentMean = finite == 0 ? null : sum / finite,
            Bins = NumericLabels(edges),
            Reference = Shares(reference),
            Current = Shares(counts),
        };
        Judge(drift, reference, counts, options);
        return drift;
    }

    private static FeatureDrift CompareCategorical(CategoricalProfile profile, IReadOnlyList<Basket> baskets, DriftOptions options)
    {
        var index = new Dictionary<string, int>(profile.Values.Length, StringComparer.Ordinal);
        for (var i = 0; i < profile.Values.Length; i++)
        {
            index[profile.Values[i]] = i;
        }

        var counts = new long[profile.Values.Length + 1];
        foreach (var basket in baskets)
        {
            foreach (var item in basket.Items)
            {
                counts[index.TryGetValue(CategoricalProfile.KeyOf(profile.Name, item), out var i) ? i : counts.Length - 1]++;
            }
        }

        var psi = DriftStatistics.Psi(profile.Counts, counts, options.Epsilon);
        var drift = new FeatureDrift
        {
            Name = profile.Name,
            Kind = "categorical",
            Psi = psi,
            Bins = [.. profile.Values, CategoricalProfile.OtherValue],
            Reference = Shares(profile.Counts),
            Current = Shares(counts),
        };
        Judge(drift, profile.Counts, counts, options);
        return drift;
    }

    private static string[] NumericLabels(double[] edges)
    {
        var labels = new string[edges.Length + 2];
        for (var i = 0; i <= edges.Length; i++)
        {
            labels[i] = i == 0
                ? edges.Length == 0 ? "all" : string.Create(CultureInfo.InvariantCulture, $"≤ {edges[0]:G4}")
                : i == edges.Length
                    ? string.Create(CultureInfo.InvariantCulture, $"> {edges[^1]:G4}")
                    : string.Create(CultureInfo.InvariantCulture, $"({edges[i - 1]:G4}, {edges[i]:G4}]");
        }

        labels[^1] = "missing";
        return labels;
    }

    private static double[] Shares(long[] counts)
    {
        double total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        var shares = new double[counts.Length];
        for (var i = 0; i < counts.Length && total > 0; i++)
        {
            shares[i] = counts[i] / total;
        }

        return shares;
    }
}
