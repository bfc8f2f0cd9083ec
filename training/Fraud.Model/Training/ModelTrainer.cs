using System.Diagnostics;
using System.Globalization;
using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Model.Drift;
using Fraud.Model.Features;
using Fraud.Model.Reports;
using Fraud.Model.Training;

namespace Fraud.Model;

/// <summary>
/// The training pipeline: seeded stratified split (train / validation / optional calibration / test), featurizer
/// fitted on the training part with out-of-fold target encodings, gradient-boosted trees with early stopping by
/// smoothed validation PR-AUC, a logistic-regression baseline on the same features, Platt calibration on the
/// validation part (or a separate calibration part when one is configured), thresholds chosen on the validation part,
/// and metrics and importance on the test part, which no fitting step sees.
/// </summary>
public static class ModelTrainer
{
    private const int MinRows = 100;
    private const int MinFraudsPerPart = 2;

    public static TrainingResult Train(
        IReadOnlyList<Basket> baskets,
        IReadOnlyList<bool> labels,
        TrainingOptions options,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (baskets.Count != labels.Count)
        {
            throw new ArgumentException($"{baskets.Count} baskets but {labels.Count} labels; every basket needs a label.", nameof(labels));
        }

        if (baskets.Count < MinRows)
        {
            throw new ArgumentException($"Training needs at least {MinRows} labelled baskets; got {baskets.Count}.", nameof(baskets));
        }

        var clock = Stopwatch.StartNew();
        var threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        var split = DataSplit.Create(labels, options.ValidationFraction, options.CalibrationFraction, options.TestFraction, options.Seed);
        for (var part = 0; part < split.Rows.Length; part++)
        {
            if (part == DataSplit.Calibration && options.CalibrationFraction == 0)
            {
                continue;
            }

            var frauds = split.Rows[part].Count(i => labels[i]);
            if (frauds < MinFraudsPerPart)
            {
                throw new ArgumentException($"Only {frauds} fraudulent baskets fall in the {PartName(part)} part; training needs at least {MinFraudsPerPart} in each (more data or more frauds).", nameof(labels));
            }
        }

        progress?.Invoke(new TrainingProgress("fingerprint", $"{baskets.Count:N0} baskets"));
        var fingerprint = DataFingerprint.Compute(baskets, labels);

        progress?.Invoke(new TrainingProgress("featurize", "fitting encodings out-of-fold"));
        var trainRows = split.Rows[DataSplit.Train];
        var trainBaskets = Select(baskets, trainRows);
        var trainLabels = Select(labels, trainRows);
        var (featurizer, trainValues) = FeaturizerFitter.FitTransform(trainBaskets, trainLabels, options.Featurizer, options.Seed, cancellationToken);
        var width = featurizer.FeatureCount;
        var trainX = new FeatureMatrix(trainRows.Length, width, trainValues);
        var validX = Featurize(featurizer, baskets, split.Rows[DataSplit.Validation], threads);
        // Without a calibration part, calibration uses the validation rows (see TrainingOptions.CalibrationFraction).
        var separateCalibration = split.Rows[DataSplit.Calibration].Length > 0;
        var calibrationX = separateCalibration ? Featurize(featurizer, baskets, split.Rows[DataSplit.Calibration], threads) : validX;
        var testX = Featurize(featurizer, baskets, split.Rows[DataSplit.Test], threads);
        var trainY = Floats(trainLabels);
        var validY = Floats(Select(labels, split.Rows[DataSplit.Validation]));
        var calibrationY = separateCalibration ? Floats(Select(labels, split.Rows[DataSplit.Calibration])) : validY;
        var testLabels = Select(labels, split.Rows[DataSplit.Test]);
        cancellationToken.ThrowIfCancellationRequested();

        var curve = new List<BoostingRound>();
        var gbdtOptions = options.Gbdt with { Seed = options.Seed, Threads = options.Threads };
        var trees = TrainTrees(trainX, trainY, trainLabels, validX, validY, options, gbdtOptions, curve, progress, cancellationToken);

        progress?.Invoke(new TrainingProgress("baseline", "logistic regression on the same features"));
        var baseline = LogisticRegression.Train(trainX, trainY, new LogisticOptions { Threads = options.Threads });

        progress?.Invoke(new TrainingProgress("calibrate", options.Calibration.ToString().ToLowerInvariant()));
        var calibrationRaw = Raw(trees, calibrationX, threads);
        ICalibrator calibrator = options.Calibration == CalibrationMethod.Platt
            ? PlattCalibrator.Fit(calibrationRaw, calibrationY)
            : IsotonicCalibrator.Fit(calibrationRaw, calibrationY);
        var validProbabilities = Calibrated(calibrator, Raw(trees, validX, threads));
        var thresholds = ChooseThresholds(validProbabilities, validY, options);
        var model = FraudModel.Create(featurizer, trees, calibrator, thresholds, DateTimeOffset.UtcNow);

        progress?.Invoke(new TrainingProgress("evaluate", "held-out test rows"));
        var testRaw = Raw(trees, testX, threads);
        var testProbabilities = Calibrated(model, testRaw);
        var metrics = ModelEvaluation.Evaluate(testProbabilities, testLabels, thresholds);
        var baselineCalibrator = PlattCalibrator.Fit(BaselineRaw(baseline, calibrationX), calibrationY);
        var baselineProbabilities = Calibrated(baselineCalibrator, BaselineRaw(baseline, testX));
        var baselineMetrics = ModelEvaluation.Evaluate(baselineProbabilities, testLabels, null);

        progress?.Invoke(new TrainingProgress("importance", "mean |SHAP| on test rows"));
        var (importance, groupImportance) = Importance(model, testX, options.ImportanceSampleRows);

        progress?.Invoke(new TrainingProgress("reference", "drift reference profile from held-out rows"));
        var heldOutRows = split.Rows[DataSplit.Validation].Concat(split.Rows[DataSplit.Calibration]).Concat(split.Rows[DataSplit.Test]).ToArray();
        var heldOutX = separateCalibration ? Stack(validX, calibrationX, testX) : Stack(validX, testX);
        var heldOutScores = Calibrated(model, Raw(trees, heldOutX, threads));
        var reference = ReferenceProfile.Build(Select(baskets, heldOutRows), heldOutX, featurizer.FeatureNames, heldOutScores);

        var card = new ModelCard
        {
            ModelId = model.ModelId,
            TrainedAt = model.CreatedAt,
            Metrics = metrics,
            BaselineMetrics = baselineMetrics,
            Parameters = new Dictionary<string, string>(options.ToParameters()),
            DataFingerprint = fingerprint,
            Rows = baskets.Count,
            TrainingRows = trainRows.Length,
            ValidationRows = validX.Rows,
            CalibrationRows = separateCalibration ? calibrationX.Rows : 0,
            TestRows = testX.Rows,
            FraudRate = (double)labels.Count(l => l) / labels.Count,
            TreeCount = trees.TreeCount,
            FeatureCount = width,
            Calibration = model.CalibrationMethod,
            Thresholds = thresholds,
            Importance = importance,
            GroupImportance = groupImportance,
            Reference = reference,
        };

        progress?.Invoke(new TrainingProgress("report", "HTML report"));
        card.TrainingSeconds = clock.Elapsed.TotalSeconds;
        var report = TrainingReport.Build(card, testProbabilities, testLabels, baselineProbabilities, curve);
        return new TrainingResult
        {
            Model = model,
            Card = card,
            ReportHtml = report,
            LearningCurve = curve,
            Baseline = new BaselineModel(featurizer, baseline, baselineCalibrator),
        };
    }

    /// <summary>
    /// One tree ensemble, or <see cref="TrainingOptions.EnsembleMembers"/> of them averaged: member i learns from the
    /// training rows outside stratified fold i, with its own seed, and stops early on the validation rows. The
    /// learning curve is the first member's.
    /// </summary>
    private static GbdtModel TrainTrees(
        FeatureMatrix trainX,
        float[] trainY,
        bool[] trainLabels,
        FeatureMatrix validX,
        float[] validY,
        TrainingOptions options,
        GbdtOptions gbdtOptions,
        List<BoostingRound> curve,
        Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var members = options.EnsembleMembers;
        var fold = members == 1 ? null : FeaturizerFitter.StratifiedFolds(trainLabels, members, unchecked(options.Seed + 7919));
        var models = new GbdtModel[members];
        for (var m = 0; m < members; m++)
        {
            var member = m;
            var (x, y) = fold is null ? (trainX, trainY) : Subset(trainX, trainY, fold, member);
            var label = members == 1 ? string.Empty : $"member {member + 1}/{members}, ";
            models[m] = GbdtTrainer.Train(x, y, gbdtOptions with { Seed = unchecked(gbdtOptions.Seed + member) }, validX, validY, round =>
            {
                if (member == 0)
                {
                    curve.Add(round);
                }

                progress?.Invoke(new TrainingProgress("boost", string.Create(CultureInfo.InvariantCulture, $"{label}round {round.Round}, validation PR-AUC {round.ValidPrAuc:F4}"), (member + ((double)round.Round / gbdtOptions.NumRounds)) / members));
            }, cancellationToken);
        }

        return GbdtModel.Average(models);
    }

    /// <summary>The training rows outside fold <paramref name="heldOut"/>.</summary>
    private static (FeatureMatrix X, float[] Y) Subset(FeatureMatrix x, float[] y, int[] fold, int heldOut)
    {
        var rows = Enumerable.Range(0, y.Length).Where(r => fold[r] != heldOut).ToArray();
        var subset = new FeatureMatrix(rows.Length, x.Columns);
        var labels = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            x.Row(rows[i]).CopyTo(subset.Row(i));
            labels[i] = y[rows[i]];
        }

        return (subset, labels);
    }

    /// <summary>
    /// Review at the lowest probability whose flagged validation baskets reach the review precision, decline likewise
    /// for the stricter precision. When a target is out of reach the best-precision point is used, and decline is
    /// always kept strictly above review so that the two decisions never collapse into one.
    /// </summary>
    internal static ModelThresholds ChooseThresholds(double[] probabilities, float[] labels, TrainingOptions options)
    {
        var review = Metrics.TryThresholdForPrecision(probabilities, labels, options.ReviewPrecision, minFlagged: 10).Threshold;
        var decline = Metrics.TryThresholdForPrecision(probabilities, labels, options.DeclinePrecision, minFlagged: 5).Threshold;
        if (decline <= review)
        {
            var above = probabilities.Where(p => p > review).DefaultIfEmpty(double.NaN).Min();
            decline = double.IsNaN(above) ? review + ((1 - review) / 2) : above;
        }

        return new ModelThresholds(Math.Max(review, 1e-6), Math.Min(decline, 1));
    }

    private static (List<FeatureImportance> Features, List<FeatureImportance> Groups) Importance(FraudModel model, FeatureMatrix x, int sampleRows)
    {
        var width = model.FeatureCount;
        var gain = model.Trees.GainImportance();
        var shap = new double[width];
        var contributions = new double[width];
        var rows = Math.Min(sampleRows, x.Rows);
        // Evenly spaced rows: a deterministic sample that covers the whole held-out set.
        for (var k = 0; k < rows; k++)
        {
            var r = (int)((long)k * x.Rows / rows);
            TreeShap.Explain(model.Trees, x.Row(r), contributions);
            for (var f = 0; f < width; f++)
            {
                shap[f] += Math.Abs(contributions[f]);
            }
        }

        var groups = model.Featurizer.Groups;
        var groupOf = model.Featurizer.GroupOfFeature;
        var groupShap = new double[groups.Count];
        var groupGain = new double[groups.Count];
        var features = new List<FeatureImportance>(width);
        for (var f = 0; f < width; f++)
        {
            var mean = rows == 0 ? 0 : shap[f] / rows;
            features.Add(new FeatureImportance(model.FeatureNames[f], groups[groupOf[f]].Code, mean, gain[f]));
            groupGain[groupOf[f]] += gain[f];
        }

        // A group's |SHAP| is the mean of |sum of its features| per row, which is what a reason shows.
        for (var k = 0; k < rows; k++)
        {
            var r = (int)((long)k * x.Rows / rows);
            TreeShap.Explain(model.Trees, x.Row(r), contributions);
            var sums = model.GroupSums(contributions);
            for (var g = 0; g < groups.Count; g++)
            {
                groupShap[g] += Math.Abs(sums[g]);
            }
        }

        var groupList = groups.Select((g, i) => new FeatureImportance(g.Code, g.Code, rows == 0 ? 0 : groupShap[i] / rows, groupGain[i])).ToList();
        return (Rank(features), Rank(groupList));
    }

    private static List<FeatureImportance> Rank(List<FeatureImportance> items) =>
        [.. items.OrderByDescending(i => i.MeanAbsShap).ThenByDescending(i => i.Gain).ThenBy(i => i.Feature, StringComparer.Ordinal)];

    private static FeatureMatrix Featurize(BasketFeaturizer featurizer, IReadOnlyList<Basket> baskets, int[] rows, int threads)
    {
        var x = new FeatureMatrix(rows.Length, featurizer.FeatureCount);
        const int Chunk = 1024;
        var chunks = (rows.Length + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            var end = Math.Min(rows.Length, (c + 1) * Chunk);
            for (var i = c * Chunk; i < end; i++)
            {
                featurizer.Featurize(baskets[rows[i]], x.Row(i));
            }
        });
        return x;
    }

    private static FeatureMatrix Stack(params FeatureMatrix[] parts)
    {
        var rows = parts.Sum(p => p.Rows);
        var values = new float[(long)rows * parts[0].Columns];
        var offset = 0;
        foreach (var part in parts)
        {
            part.Values.CopyTo(values, offset);
            offset += part.Values.Length;
        }

        return new FeatureMatrix(rows, parts[0].Columns, values);
    }

    private static double[] Raw(GbdtModel trees, FeatureMatrix x, int threads)
    {
        var raw = new double[x.Rows];
        trees.PredictRaw(x, raw, threads);
        return raw;
    }

    private static double[] BaselineRaw(LogisticRegression baseline, FeatureMatrix x)
    {
        var raw = new double[x.Rows];
        baseline.PredictRaw(x, raw);
        return raw;
    }

    private static double[] Calibrated(ICalibrator calibrator, double[] raw) => [.. raw.Select(calibrator.Calibrate)];

    private static double[] Calibrated(FraudModel model, double[] raw) => [.. raw.Select(model.Calibrate)];

    private static T[] Select<T>(IReadOnlyList<T> source, int[] rows)
    {
        var result = new T[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            result[i] = source[rows[i]];
        }

        return result;
    }

    private static float[] Floats(bool[] labels)
    {
        var y = new float[labels.Length];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = labels[i] ? 1f : 0f;
        }

        return y;
    }

    private static string PartName(int part) => part switch
    {
        DataSplit.Train => "training",
        DataSplit.Validation => "validation",
        DataSplit.Calibration => "calibration",
        _ => "test",
    };
}
