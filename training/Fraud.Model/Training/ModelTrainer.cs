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

    /// <summary>
    /// Members train two at a time (on more than one thread) while a member learns from at most this many rows, and one
    /// at a time above it: the model is the same either way; only the peak memory and the wall time differ.
    /// </summary>
    internal const int ConcurrentMembersMaxRows = 300_000;

    /// <summary>
    /// Above this many training rows per member, a full compacting collection runs at the three points of a member where
    /// a matrix-sized array has just become garbage (the featurizer's fitting state, the float matrix once binned, the
    /// member's own arrays once it is done). Without them the workstation GC let the heap grow to two or three times
    /// the live data (400,000 rows: 2.5 GB heap, 2.8 GB peak RSS; with them 200,000 rows peak at 828 MiB instead of
    /// 1,164); their cost was inside the run-to-run noise of the CPU time (docs/performance.md, "How cost grows"). The
    /// model does not depend on when memory is collected.
    /// </summary>
    internal const int CollectAboveMemberRows = 100_000;

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
        // The large-data rule (TrainingOptions.LargeDataRows); from here on, and in the card, the options used.
        var largeData = options.LargeDataRows > 0 && baskets.Count > options.LargeDataRows;
        options = options.ForRows(baskets.Count);
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
        var learner = TreeLearners.Resolve(options.Learner);
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

        var separateCalibration = split.Rows[DataSplit.Calibration].Length > 0;
        var testRows = split.Rows[DataSplit.Test];
        var calibrationRows = split.Rows[DataSplit.Calibration];
        var memberFolds = MemberFolds(split, labels, options);
        // Vocabularies use no labels: fitted once on every row a member may learn from, so all members share one layout.
        var vocabulary = FeaturizerFitter.FitVocabulary(Select(baskets, [.. split.Rows[DataSplit.Train].Concat(split.Rows[DataSplit.Validation])]), options.Featurizer);
        var members = new ModelMember[options.EnsembleMembers];
        var memberTestX = new FeatureMatrix[members.Length];
        var outOfBagRaw = new double[members.Length][];
        var memberTestRaw = new double[members.Length][];
        var memberCalibrationRaw = new double[members.Length][];
        // Distillation from the ensemble's mean (TrainingOptions.DistillEnsembleMean): each member's raw scores on its own
        // training rows (from the out-of-fold encoded matrix it learnt from), row indices alongside.
        var keepTrainRaw = options.Distill > 0 && options.DistillEnsembleMean;
        var memberTrainRaw = new double[members.Length][];
        var memberTrainRows = new int[members.Length][];
        // Every member's held-out matrices, for the drift reference: each row profiled by a member that did not learn from it.
        var memberValidX = new FeatureMatrix[members.Length];
        var memberCalibrationX = new FeatureMatrix?[members.Length];
        // The logistic baseline learns from the first member's training matrix, right after that member's trees (then
        // the matrix is dropped); its raw scores on the first member's calibration rows and test part are kept.
        LogisticRegression? baseline = null;
        double[]? baselineCalibrationRaw = null, baselineTestRaw = null;
        var curve = new List<BoostingRound>();
        var memberRows = memberFolds.Skip(1).Sum(f => f.Length);
        void Collect()
        {
            if (memberRows > CollectAboveMemberRows)
            {
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }

        var progressGate = new Lock();
        void Report(TrainingProgress update)
        {
            if (progress is not null)
            {
                lock (progressGate)
                {
                    progress(update);
                }
            }
        }

        void TrainMember(int m)
        {
            // Member 0 keeps the training seed, so a single-member model is the plain train / validation pipeline.
            var memberSeed = unchecked(options.Seed + (7919 * m));
            var validRows = memberFolds[m];
            var trainRows = memberFolds.Where((_, f) => f != m).SelectMany(f => f).Order().ToArray();
            var label = members.Length == 1 ? string.Empty : $"member {m + 1}/{members.Length}: ";
            Report(new TrainingProgress("featurize", label + "fitting encodings out-of-fold"));
            var trainLabels = Select(labels, trainRows);
            var featurizer = FitMember(Select(baskets, trainRows), trainLabels, options.Featurizer, memberSeed, vocabulary, out var trainX, cancellationToken);
            Collect();
            var trainY = Floats(trainLabels);
            var validX = Featurize(featurizer, baskets, validRows, threads);
            var memberValidY = Floats(Select(labels, validRows));
            cancellationToken.ThrowIfCancellationRequested();

            // Only the first member's float matrix outlives its binning (the baseline learns from it below); the
            // learner drops its own reference once the matrix is binned, so other members' matrices are freed then.
            var baselineTrainX = m == 0 ? trainX : null;
            var keptTrainX = keepTrainRaw ? new FeatureMatrix(trainX!.Rows, trainX.Columns, (float[])trainX.Values.Clone()) : null;
            var gbdtOptions = options.Gbdt with { Seed = memberSeed, Threads = options.Threads };
            var trees = learner.Train(Take(ref trainX), trainY, gbdtOptions, validX, memberValidY, round =>
            {
                if (m == 0)
                {
                    curve.Add(round);
                }

                if (round.Round == 1)
                {
                    Collect(); // the float training matrix is binned by now, and garbage unless it is the baseline's
                }

                Report(new TrainingProgress("boost", string.Create(CultureInfo.InvariantCulture, $"{label}round {round.Round}, validation PR-AUC {round.ValidPrAuc:F4}"), (m + ((double)round.Round / gbdtOptions.NumRounds)) / members.Length));
            }, cancellationToken);
            members[m] = new ModelMember(featurizer, trees);
            if (keptTrainX is not null)
            {
                memberTrainRaw[m] = Raw(trees, keptTrainX, threads);
                memberTrainRows[m] = trainRows;
                keptTrainX = null;
            }

            outOfBagRaw[m] = Raw(trees, validX, threads);
            memberTestX[m] = Featurize(featurizer, baskets, testRows, threads);
            memberTestRaw[m] = Raw(trees, memberTestX[m], threads);
            var calibrationPartX = separateCalibration ? Featurize(featurizer, baskets, calibrationRows, threads) : null;
            memberCalibrationRaw[m] = calibrationPartX is null ? [] : Raw(trees, calibrationPartX, threads);
            (memberValidX[m], memberCalibrationX[m]) = (validX, calibrationPartX);
            if (baselineTrainX is not null)
            {
                // Trained here, not after every member, so that this member's training matrix is not held while the
                // others train; it standardises the matrix in place (no copy), which is its last use. The baseline is
                // calibrated on this member's validation fold (or the calibration part) and evaluated on the test part.
                Report(new TrainingProgress("baseline", "logistic regression on the first member's features"));
                // Under the large-data rule it learns from every k-th of those rows, at most LargeDataRows / 2 of them: a
                // linear model of the ~160 features needs far fewer rows than the trees, and on all 760,000 rows of a
                // 1,000,000-basket training it cost about 50 CPU s, as much as half a member's trees. It is the card's
                // reference point only (never served); the served model does not depend on it.
                var (baselineX, baselineY) = largeData ? EveryKthRow(baselineTrainX, trainY, Math.Max(1, options.LargeDataRows / 2)) : (baselineTrainX, trainY);
                baselineTrainX = null;
                baseline = LogisticRegression.TrainConsuming(baselineX, baselineY, new LogisticOptions { Threads = options.Threads });
                baselineCalibrationRaw = BaselineRaw(baseline, calibrationPartX ?? validX);
                baselineTestRaw = BaselineRaw(baseline, memberTestX[m]);
            }

            Collect();
        }

        // Two members at a time when more than one thread is allowed: parts of a member are single-threaded (the
        // encoders' counting, each line-model fit), so a second member fills the other core (four members on 2 cores: 25.5 s → 19.5 s in-process). A member
        // depends only on its seed and folds, and the scores are combined in member order below, so the model is the
        // same whatever runs alongside what (TrainingTests compares one thread with several). Above
        // ConcurrentMembersMaxRows training rows per member, one at a time: each member in flight holds its training
        // matrix (640 bytes a row) and its binned copy, the largest arrays of a training (docs/performance.md).
        var concurrency = threads > 1 && memberRows <= ConcurrentMembersMaxRows ? 2 : 1;
        RunMembers(members.Length, concurrency, TrainMember, cancellationToken);
        // The baseline was calibrated on the first member's validation fold, whichever model ships.
        var baselineFold = memberFolds[0];
        if (options.Distill > 0)
        {
            // Distillation (TrainingOptions.Distill): the members above are teachers; one student replaces them. From
            // here on the student is the model's only member, with its own folds (its held-out fold first), so
            // calibration, thresholds, test metrics, importance and the drift reference are those of a 1-member model.
            (members, memberFolds) = TrainStudent();
        }

        (ModelMember[] Members, int[][] Folds) TrainStudent()
        {
            var k = members.Length;
            // The fold the student does not learn from: the first fold no teacher stopped early on (with the default
            // shares, four members over five folds, the fifth), so that every row the student learns from has a teacher
            // that held it out and thus a cross-fitted soft target. With as many members as folds, the first fold (the
            // validation part). Every teacher learnt the held-out fold's labels, so they reach the student at one remove,
            // through the teachers' scores on other rows (never a row's own label): the held-out fold is honest for
            // early stopping, calibration and thresholds as far as the student's own fitting goes; the test part is
            // untouched by everything. Early stopping there uses 0/1 labels (PR-AUC, what the model is judged on), and
            // keeps the rows a calibration needs that the student never learnt from; a fixed round count (say the
            // teachers' mean best round) would need neither, but soft targets change how many rounds pay (docs/model.md,
            // "Round 7").
            var (folds, target) = StudentTargets(labels, memberFolds, outOfBagRaw, options.Distill, keepTrainRaw ? EnsembleRaw(baskets.Count, memberFolds, outOfBagRaw, memberTrainRows, memberTrainRaw) : null);
            (memberTrainRaw, memberTrainRows) = ([], []);

            // The student's seed is the next member's, so it is none of the teachers' and the same for the same options.
            var studentSeed = unchecked(options.Seed + (7919 * k));
            var validRows = folds[0];
            var trainRows = folds.Skip(1).SelectMany(f => f).Order().ToArray();
            Report(new TrainingProgress("featurize", "student: fitting encodings out-of-fold"));
            var featurizer = FitMember(Select(baskets, trainRows), Select(labels, trainRows), options.Featurizer, studentSeed, vocabulary, out var trainX, cancellationToken);
            Collect();
            var trainY = Select(target, trainRows);
            var validX = Featurize(featurizer, baskets, validRows, threads);
            var validY = Floats(Select(labels, validRows));
            cancellationToken.ThrowIfCancellationRequested();
            curve.Clear();
            var gbdtOptions = options.Gbdt with
            {
                Seed = studentSeed,
                Threads = options.Threads,
                NumRounds = options.DistillNumRounds > 0 ? options.DistillNumRounds : options.Gbdt.NumRounds,
            };
            var trees = learner.Train(Take(ref trainX), trainY, gbdtOptions, validX, validY, round =>
            {
                curve.Add(round);
                Report(new TrainingProgress("boost", string.Create(CultureInfo.InvariantCulture, $"student: round {round.Round}, validation PR-AUC {round.ValidPrAuc:F4}"), (double)round.Round / gbdtOptions.NumRounds));
            }, cancellationToken);
            var testX = Featurize(featurizer, baskets, testRows, threads);
            var calibrationPartX = separateCalibration ? Featurize(featurizer, baskets, calibrationRows, threads) : null;
            outOfBagRaw = [Raw(trees, validX, threads)];
            memberTestX = [testX];
            memberTestRaw = [Raw(trees, testX, threads)];
            memberCalibrationRaw = [calibrationPartX is null ? [] : Raw(trees, calibrationPartX, threads)];
            memberValidX = [validX];
            memberCalibrationX = [calibrationPartX];
            Collect();
            return ([new ModelMember(featurizer, trees)], folds);
        }

        var testRaw = MeanOf(memberTestRaw, testRows.Length);
        var calibrationRaw = MeanOf(memberCalibrationRaw, calibrationRows.Length);

        // Each validation fold is out-of-bag for the member that stopped early on it: those raw scores (one member's
        // each) choose the calibration, unless a separate calibration part is configured, and the thresholds.
        var outOfBagRows = memberFolds.Take(members.Length).SelectMany(f => f).ToArray();
        var validRaw = outOfBagRaw.SelectMany(r => r).ToArray();
        var validY = Floats(Select(labels, outOfBagRows));
        var testLabels = Select(labels, testRows);

        progress?.Invoke(new TrainingProgress("calibrate", options.Calibration.ToString().ToLowerInvariant()));
        var (fitRaw, fitY) = separateCalibration ? (calibrationRaw, Floats(Select(labels, calibrationRows))) : (validRaw, validY);
        ICalibrator calibrator = options.Calibration == CalibrationMethod.Platt
            ? PlattCalibrator.Fit(fitRaw, fitY)
            : IsotonicCalibrator.Fit(fitRaw, fitY);
        var validProbabilities = Calibrated(calibrator, validRaw);
        var thresholdWarnings = new List<string>();
        var thresholds = ChooseThresholds(validProbabilities, validY, options, thresholdWarnings);
        var model = FraudModel.Create(members, calibrator, thresholds, DateTimeOffset.UtcNow);

        progress?.Invoke(new TrainingProgress("evaluate", "held-out test rows"));
        var testProbabilities = Calibrated(model, testRaw);
        var metrics = ModelEvaluation.Evaluate(testProbabilities, testLabels, thresholds);
        WarnAboutTestPrecision(metrics, thresholdWarnings);
        // The baseline learns from the first member's features and is calibrated on that member's validation fold.
        var baselineCalibrationY = separateCalibration ? fitY : Floats(Select(labels, baselineFold));
        var baselineCalibrator = PlattCalibrator.Fit(baselineCalibrationRaw!, baselineCalibrationY);
        var baselineProbabilities = Calibrated(baselineCalibrator, baselineTestRaw!);
        var baselineMetrics = ModelEvaluation.Evaluate(baselineProbabilities, testLabels, null);

        progress?.Invoke(new TrainingProgress("importance", "mean |SHAP| on test rows"));
        var (importance, groupImportance) = Importance(model, memberTestX, options.ImportanceSampleRows);

        progress?.Invoke(new TrainingProgress("reference", "drift reference profile from every member's out-of-bag rows"));
        var reference = BuildReference(model, baskets, memberFolds, calibrationRows, testRows, memberValidX, memberCalibrationX, memberTestX, outOfBagRaw, memberCalibrationRaw, memberTestRaw);

        var card = new ModelCard
        {
            ModelId = model.ModelId,
            TrainedAt = model.CreatedAt,
            Metrics = metrics,
            BaselineMetrics = baselineMetrics,
            Parameters = new Dictionary<string, string>(options.ToParameters()),
            DataFingerprint = fingerprint,
            Rows = baskets.Count,
            TrainingRows = memberFolds.Skip(members.Length).Sum(f => f.Length),
            ValidationRows = outOfBagRows.Length,
            CalibrationRows = calibrationRows.Length,
            TestRows = testRows.Length,
            FraudRate = (double)labels.Count(l => l) / labels.Count,
            TreeCount = model.TreeCount,
            FeatureCount = model.FeatureCount,
            Calibration = model.CalibrationMethod,
            Thresholds = thresholds,
            ThresholdWarnings = thresholdWarnings,
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
            Baseline = new BaselineModel(model.Featurizer, baseline!, baselineCalibrator),
            TestProbabilities = testProbabilities,
            TestLabels = testLabels,
        };
    }

    /// <summary>
    /// The drift reference from every row some member did not learn from: member m's validation fold with member m's
    /// features and calibrated raw score, and the calibration and test parts (no member learnt from them) spread over
    /// the members in turn. That is what a drift check does with live baskets (basket r is featurized and scored by one
    /// member, chosen by a fixed hash of r in <c>DriftCheck.MemberOf</c>), so both sides mix the members' encodings alike, with about four
    /// times the rows of one member's fold. Scores are single-member scores on both sides for the same reason: the
    /// ensemble's mean is narrower than any member's score and would shift the score histogram on its own.
    /// </summary>
    private static ReferenceProfile BuildReference(
        FraudModel model,
        IReadOnlyList<Basket> baskets,
        int[][] memberFolds,
        int[] calibrationRows,
        int[] testRows,
        FeatureMatrix[] memberValidX,
        FeatureMatrix?[] memberCalibrationX,
        FeatureMatrix[] memberTestX,
        double[][] outOfBagRaw,
        double[][] memberCalibrationRaw,
        double[][] memberTestRaw)
    {
        var k = memberValidX.Length;
        var total = memberFolds.Take(k).Sum(f => f.Length) + calibrationRows.Length + testRows.Length;
        var rows = new List<Basket>(total);
        var members = new List<int>(total);
        var scores = new double[total];
        var at = 0;
        void Add(int row, int member, double raw)
        {
            scores[at++] = model.Calibrate(raw);
            rows.Add(baskets[row]);
            members.Add(member);
        }

        for (var m = 0; m < k; m++)
        {
            for (var i = 0; i < memberFolds[m].Length; i++)
            {
                Add(memberFolds[m][i], m, outOfBagRaw[m][i]);
            }
        }

        for (var i = 0; i < calibrationRows.Length; i++)
        {
            Add(calibrationRows[i], i % k, memberCalibrationRaw[i % k][i]);
        }

        for (var i = 0; i < testRows.Length; i++)
        {
            Add(testRows[i], i % k, memberTestRaw[i % k][i]);
        }

        // Each feature column is read from the members' matrices where they are, in the order of the rows above, rather
        // than from a copy of them all (one more matrix of 640 bytes per reference row: 520 MB at 1,000,000 rows).
        void FillColumn(int c, double[] column)
        {
            var r = 0;
            for (var m = 0; m < k; m++)
            {
                var x = memberValidX[m];
                for (var i = 0; i < x.Rows; i++)
                {
                    column[r++] = x[i, c];
                }
            }

            for (var i = 0; i < calibrationRows.Length; i++)
            {
                column[r++] = memberCalibrationX[i % k]![i, c];
            }

            for (var i = 0; i < testRows.Length; i++)
            {
                column[r++] = memberTestX[i % k][i, c];
            }
        }

        return ReferenceProfile.Build(rows, FillColumn, model.FeatureNames, scores, null, members, k);
    }

    /// <summary>
    /// The validation fold of each member, as row indices: fold 0 is the validation part, and the training part is cut
    /// into stratified folds of about the same size for the other members. Member i stops early on fold i and learns
    /// from every other fold, so each member sees a different ~75 % of the non-test rows and together they have seen
    /// all of them, while every fold row still has one member that never learnt from it. With one member this is the
    /// plain train / validation split. Folds beyond the member count are in every member's training rows.
    /// </summary>
    private static int[][] MemberFolds(DataSplit split, IReadOnlyList<bool> labels, TrainingOptions options)
    {
        var train = split.Rows[DataSplit.Train];
        var extraFolds = Math.Max(1, (int)Math.Round(train.Length / (double)Math.Max(1, split.Rows[DataSplit.Validation].Length)));
        if (options.EnsembleMembers > extraFolds + 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Training parameter 'ensemble_members' is {options.EnsembleMembers}, but validation_fraction {options.ValidationFraction} leaves room for {extraFolds + 1} validation folds of that size; use fewer members or a smaller validation_fraction."), nameof(options));
        }

        var fold = FeaturizerFitter.StratifiedFolds(Select(labels, train), extraFolds, unchecked(options.Seed + 7919));
        var folds = new int[extraFolds + 1][];
        folds[0] = split.Rows[DataSplit.Validation];
        for (var f = 0; f < extraFolds; f++)
        {
            folds[f + 1] = [.. train.Where((_, i) => fold[i] == f)];
        }

        return folds;
    }

    /// <summary>
    /// The distillation student's folds and training targets: its held-out fold first (the first fold no teacher stopped
    /// early on, or fold 0 when every fold has a teacher), then the folds it learns from; and per basket index the soft
    /// target t = (1 - alpha) y + alpha sigmoid(raw), raw being the out-of-fold score of the teacher that held the row
    /// out (outOfBagRaw[m][i] belongs to row memberFolds[m][i]), or, given <paramref name="ensembleRaw"/> (per basket
    /// index), that score for every row the student learns from. Without it, rows of folds no teacher held out keep
    /// their 0/1 label. The held-out fold's and the test part's entries are unused (0).
    /// </summary>
    internal static (int[][] Folds, float[] Target) StudentTargets(IReadOnlyList<bool> labels, int[][] memberFolds, double[][] outOfBagRaw, double alpha, double[]? ensembleRaw = null)
    {
        var k = outOfBagRaw.Length;
        var holdOut = memberFolds.Length > k ? k : 0;
        var folds = new int[memberFolds.Length][];
        folds[0] = memberFolds[holdOut];
        for (int f = 0, at = 1; f < memberFolds.Length; f++)
        {
            if (f != holdOut)
            {
                folds[at++] = memberFolds[f];
            }
        }

        var target = new float[labels.Count];
        for (var f = 0; f < memberFolds.Length; f++)
        {
            if (f == holdOut)
            {
                continue;
            }

            for (var i = 0; i < memberFolds[f].Length; i++)
            {
                var row = memberFolds[f][i];
                var y = labels[row] ? 1.0 : 0.0;
                double? raw = ensembleRaw is not null ? ensembleRaw[row] : f < k ? outOfBagRaw[f][i] : null;
                target[row] = raw is double r ? (float)Math.Clamp(((1 - alpha) * y) + (alpha * Sigmoid(r)), 0, 1) : (float)y;
            }
        }

        return (folds, target);
    }

    /// <summary>
    /// Per basket index, the mean of every member's raw score on it (summed in member order): out-of-fold where the
    /// member stopped early on the row's fold, in-sample (from its training matrix) where it learnt from the row.
    /// </summary>
    internal static double[] EnsembleRaw(int rows, int[][] memberFolds, double[][] outOfBagRaw, int[][] memberTrainRows, double[][] memberTrainRaw)
    {
        var k = outOfBagRaw.Length;
        var sum = new double[rows];
        // A member's validation fold and its training rows are disjoint, so each member adds at most one score per row.
        for (var m = 0; m < k; m++)
        {
            for (var i = 0; i < memberFolds[m].Length; i++)
            {
                sum[memberFolds[m][i]] += outOfBagRaw[m][i];
            }

            for (var i = 0; i < memberTrainRows[m].Length; i++)
            {
                sum[memberTrainRows[m][i]] += memberTrainRaw[m][i];
            }
        }

        for (var r = 0; r < rows; r++)
        {
            sum[r] /= k;
        }

        return sum;
    }

    /// <summary>Element-wise mean of the members' scores, summed in member order (so it never depends on timing).</summary>
    private static double[] MeanOf(double[][] memberScores, int length)
    {
        var mean = new double[length];
        foreach (var scores in memberScores)
        {
            for (var i = 0; i < length; i++)
            {
                mean[i] += scores[i] / memberScores.Length;
            }
        }

        return mean;
    }

    /// <summary>Fits a member's featurizer and returns its training matrix through <paramref name="x"/> (which the caller can clear).</summary>
    private static BasketFeaturizer FitMember(Basket[] baskets, bool[] labels, FeaturizerOptions options, int seed, FeatureVocabulary vocabulary, out FeatureMatrix? x, CancellationToken cancellationToken)
    {
        var (featurizer, values) = FeaturizerFitter.FitTransform(baskets, labels, options, seed, vocabulary, cancellationToken);
        x = new FeatureMatrix(baskets.Length, featurizer.FeatureCount, values);
        return featurizer;
    }

    /// <summary>Every k-th row of <paramref name="x"/> (and its label), k the smallest that keeps at most <paramref name="maxRows"/> rows.</summary>
    private static (FeatureMatrix X, float[] Y) EveryKthRow(FeatureMatrix x, float[] y, int maxRows)
    {
        var k = (x.Rows + maxRows - 1) / maxRows;
        if (k <= 1)
        {
            return (x, y);
        }

        var rows = (x.Rows + k - 1) / k;
        var sample = new FeatureMatrix(rows, x.Columns);
        var labels = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            x.Values.AsSpan(i * k * x.Columns, x.Columns).CopyTo(sample.Values.AsSpan(i * x.Columns, x.Columns));
            labels[i] = y[i * k];
        }

        return (sample, labels);
    }

    /// <summary>Returns the value and clears the variable, so that the caller holds no reference while the callee works.</summary>
    private static T Take<T>(ref T? value)
        where T : class
    {
        var taken = value!;
        value = null;
        return taken;
    }

    /// <summary>Runs <paramref name="train"/> for every member, <paramref name="concurrency"/> at a time, rethrowing the first failure as itself.</summary>
    private static void RunMembers(int count, int concurrency, Action<int> train, CancellationToken cancellationToken)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, train);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // Callers (the CLI, the retraining job) expect the training error itself: a bad parameter, a cancellation.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// Review at the lowest probability whose flagged validation baskets reach the review precision, decline likewise
    /// for the stricter precision. When a target is out of reach the best-precision point is used, and decline is
    /// always kept strictly above review so that the two decisions never collapse into one.
    /// </summary>
    internal static ModelThresholds ChooseThresholds(double[] probabilities, float[] labels, TrainingOptions options, List<string>? warnings = null)
    {
        var reviewChoice = Metrics.TryThresholdForPrecision(probabilities, labels, options.ReviewPrecision, minFlagged: 10);
        var declineChoice = Metrics.TryThresholdForPrecision(probabilities, labels, options.DeclinePrecision, minFlagged: 5);
        var frauds = 0;
        foreach (var label in labels)
        {
            frauds += label > 0 ? 1 : 0;
        }

        // A fallback is fine; a silent one is not (issue 19, item 6): each is written on the card and printed by train.
        Warn(warnings, "review", options.ReviewPrecision, reviewChoice, labels.Length, frauds);
        Warn(warnings, "decline", options.DeclinePrecision, declineChoice, labels.Length, frauds);
        var review = reviewChoice.Threshold;
        var decline = declineChoice.Threshold;
        if (decline <= review)
        {
            var above = probabilities.Where(p => p > review).DefaultIfEmpty(double.NaN).Min();
            decline = double.IsNaN(above) ? review + ((1 - review) / 2) : above;
            warnings?.Add(string.Create(CultureInfo.InvariantCulture, $"decline: its choice fell at or below review, so decline was moved to just above review (p ≥ {decline:F4}); it is not backed by a precision of its own."));
        }

        return new ModelThresholds(Math.Max(review, 1e-6), Math.Min(decline, 1));
    }

    /// <summary>Fewer frauds than this behind a threshold make its precision a guess (one fraud more or less moves it by 10 points).</summary>
    internal const int MinFraudsBehindThreshold = 10;

    private static void Warn(List<string>? warnings, string name, double target, ThresholdChoice choice, int rows, int frauds)
    {
        if (warnings is null)
        {
            return;
        }

        var caught = (int)Math.Round(choice.Precision * choice.Flagged);
        if (!choice.ReachedTarget)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {target:P0} precision is not reached on the {rows:N0} validation baskets ({frauds:N0} frauds); fell back to the most precise point, p ≥ {choice.Threshold:F4} ({choice.Precision:P1} precision, {caught} frauds among {choice.Flagged} flagged)."));
        }
        else if (caught < MinFraudsBehindThreshold)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: chosen on only {caught} frauds among {choice.Flagged} flagged validation baskets (fewer than {MinFraudsBehindThreshold}); its {choice.Precision:P0} precision is uncertain. Train on more labelled frauds."));
        }
    }

    private static void WarnAboutTestPrecision(EvaluationMetrics metrics, List<string> warnings)
    {
        foreach (var t in metrics.Thresholds)
        {
            if (t.Precision == 0)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{t.Name}: catches no fraud on its own test split of {metrics.Rows:N0} baskets ({metrics.Frauds:N0} frauds): precision 0.000, flagging {Fraud.Baskets.Percent.Format(t.FlaggedShare)}."));
            }
        }
    }

    /// <summary>Mean |SHAP| on the test rows (of the members' mean contributions, as explanations show them) and split gain summed over members.</summary>
    private static (List<FeatureImportance> Features, List<FeatureImportance> Groups) Importance(FraudModel model, FeatureMatrix[] memberX, int sampleRows)
    {
        var width = model.FeatureCount;
        var gain = new double[width];
        foreach (var member in model.Members)
        {
            var memberGain = member.Trees.GainImportance();
            for (var f = 0; f < width; f++)
            {
                gain[f] += memberGain[f];
            }
        }

        var groups = model.Featurizer.Groups;
        var groupOf = model.Featurizer.GroupOfFeature;
        var shap = new double[width];
        var groupShap = new double[groups.Count];
        var memberRows = new float[memberX.Length * width];
        var contributions = new double[width];
        var scratch = new double[width];
        var x = memberX[0];
        var rows = Math.Min(sampleRows, x.Rows);
        // Evenly spaced rows: a deterministic sample that covers the whole held-out set.
        for (var k = 0; k < rows; k++)
        {
            var r = (int)((long)k * x.Rows / rows);
            for (var m = 0; m < memberX.Length; m++)
            {
                memberX[m].Row(r).CopyTo(memberRows.AsSpan(m * width, width));
            }

            model.MeanContributions(memberRows, contributions, scratch);
            for (var f = 0; f < width; f++)
            {
                shap[f] += Math.Abs(contributions[f]);
            }

            // A group's |SHAP| is the mean of |sum of its features| per row, which is what a reason shows.
            var sums = model.GroupSums(contributions);
            for (var g = 0; g < groups.Count; g++)
            {
                groupShap[g] += Math.Abs(sums[g]);
            }
        }

        var features = new List<FeatureImportance>(width);
        var groupGain = new double[groups.Count];
        for (var f = 0; f < width; f++)
        {
            features.Add(new FeatureImportance(model.FeatureNames[f], groups[groupOf[f]].Code, rows == 0 ? 0 : shap[f] / rows, gain[f]));
            groupGain[groupOf[f]] += gain[f];
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

    private static double Sigmoid(double raw) => 1.0 / (1.0 + Math.Exp(-raw));

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
