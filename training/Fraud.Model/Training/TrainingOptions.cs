using System.Globalization;
using Fraud.Learning;
using Fraud.Model.Features;

namespace Fraud.Model;

/// <summary>How probabilities are calibrated on held-out data.</summary>
public enum CalibrationMethod
{
    /// <summary>
    /// Monotone step function (pool adjacent violators); needs many held-out frauds. Its flat steps tie baskets
    /// that the trees ranked apart, which costs PR-AUC when frauds are rare, so it is not the default.
    /// </summary>
    Isotonic,

    /// <summary>Logistic fit of the raw score (Platt, 1999); smoother, works with little data.</summary>
    Platt,
}

/// <summary>Everything that decides a training run. Same options and data, same model, whatever the thread count.</summary>
public sealed record TrainingOptions
{
    /// <summary>Seed of every random choice: the split, the target-encoding folds, bagging and feature sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gradient-boosting hyper-parameters (seed and threads are taken from this record).</summary>
    public GbdtOptions Gbdt { get; init; } = new()
    {
        // Tuned on generated data (fraud bench, mean of split seeds 1-3): small trees and large leaves because
        // frauds are rare (~1.4%) and the line model already carries the item-level detail (7 leaves / depth 4 /
        // 200 rows and half the features per tree: 0.210 vs 0.203 with 15 / 6 / 100 / 0.8); 255 bins because the
        // rare class lives in the top percent of each risk feature. L2 = 30 on the leaf values (rather than 2): each
        // leaf holds a few fraud cases among hundreds of rows, and shrinking its value keeps one noisy leaf from
        // swinging a basket's score (0.2140 vs 0.2101 alone, 0.2164 with four members; docs/model.md has the sweep).
        NumRounds = 400,
        LearningRate = 0.05,
        NumLeaves = 7,
        MaxDepth = 4,
        MinDataInLeaf = 200,
        L2 = 30,
        FeatureFraction = 0.5,
        BaggingFraction = 0.8,
        MaxBins = 255,
        EarlyStoppingRounds = 100,
        MinRounds = 150,
        EarlyStoppingSmoothing = 10,
    };

    public FeaturizerOptions Featurizer { get; init; } = new();

    /// <summary>
    /// Members averaged into the model, each a featurizer (encodings and line model) and trees of its own. The
    /// non-test rows are cut into validation folds of <see cref="ValidationFraction"/> (fold 1 is the validation
    /// part); member i learns from every fold but the i-th and stops early on it, so members learn from different
    /// rows and every fold row has an out-of-bag score for calibration and thresholds. Vocabularies are shared, so
    /// explanations average the members' TreeSHAP values feature by feature. A basket is parsed and hashed once for
    /// every member (<c>JointFeaturizer</c>), so scoring costs far less than k times one member; training and
    /// explaining cost about k times. At most 1 + (training share / validation share) members (5 with the default
    /// shares). Four: PR-AUC 0.2164 against 0.2140 for one and 0.2155 for three (mean of seeds 1-3), training ≈ 24 s; on the
    /// other fraud mechanisms four members gain far more (reseller 0.912 → 0.934, stolen identity 0.898 → 0.929 of the
    /// oracle, split seed 1), which is why they are kept (docs/model.md, issue 17). Over three training samples
    /// (generator seeds 1, 3, 4) and all four mechanisms, four members beat two in 11 of 12 pairs (+0.007 of the
    /// oracle on average) for about twice the trees, and two beat one in 12 of 12 (+0.010 to +0.018); stronger leaf
    /// regularisation at two members does not replace them (docs/model.md, "Round 6"). Nor does distilling them into one
    /// student (<see cref="Distill"/>): −0.011 of the oracle over the same twelve pairs (−0.008 from the members' mean
    /// score), for about 40–75 % of the trees (docs/model.md, "Round 7").
    /// </summary>
    public int EnsembleMembers { get; init; } = 4;

    /// <summary>
    /// The large-data rule: above this many baskets (0: never) a training uses at most <see cref="LargeDataMembers"/>
    /// members, and the line model makes fewer passes, so that passes × rows stays within what
    /// <see cref="FeaturizerOptions.LineModelEpochs"/> passes cost at this many rows (<see cref="ForRows"/>). Training
    /// time grows with members × rows and the line model's passes × rows, and with this much data each member varies
    /// less and SGD needs fewer passes: at 1,000,000 generated baskets the rule (with the baseline's row sample in
    /// ModelTrainer) takes training from 809 to 318 CPU s for PR-AUC −0.0001 on 200,000 held-out baskets
    /// (docs/performance.md, "Fourth round: the large-data rule"). At or below it (every
    /// model the monitoring job retrains, whose training set is capped at 500,000 rows) nothing changes.
    /// </summary>
    public int LargeDataRows { get; init; } = 500_000;

    /// <summary>Most ensemble members above <see cref="LargeDataRows"/> baskets.</summary>
    public int LargeDataMembers { get; init; } = 2;

    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.Platt;

    /// <summary>
    /// Which learner grows the trees (<see cref="TreeLearners"/>): <c>gbdt</c> (the product's own, managed, the default),
    /// or Microsoft.ML's <c>fasttree</c> (managed) or <c>lightgbm</c> (native LightGBM, needs libgomp) where the process
    /// has them (the fraud CLI). Every learner sees the same features and split, and its trees go into the same artifact.
    /// </summary>
    public string Learner { get; init; } = TreeLearners.Gbdt;

    /// <summary>The review threshold is the lowest probability whose flagged baskets reach this precision on validation data.</summary>
    public double ReviewPrecision { get; init; } = 0.3;

    /// <summary>The decline threshold: the same for this stricter precision.</summary>
    public double DeclinePrecision { get; init; } = 0.7;

    /// <summary>Share of baskets held out for early stopping, thresholds and (by default) calibration.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>
    /// Share of baskets held out for calibration alone; 0 (the default) calibrates on the validation rows instead.
    /// Platt scaling is monotone, so reusing validation rows cannot change the ranking, and the trees get the rows.
    /// </summary>
    public double CalibrationFraction { get; init; }

    /// <summary>Share of baskets held out for the metrics in the card (untouched by every fitting step).</summary>
    public double TestFraction { get; init; } = 0.05;

    /// <summary>Test rows explained to compute the mean |SHAP| importance.</summary>
    public int ImportanceSampleRows { get; init; } = 1000;

    /// <summary>
    /// Distillation share alpha in [0, 1]; 0 (the default) is off. Above 0 the <see cref="EnsembleMembers"/> members are
    /// trained as usual (the teachers), then ONE student (a featurizer and trees of its own) learns from every fold but
    /// one against soft targets t = (1 - alpha) label + alpha sigmoid(raw), raw being the row's out-of-fold score from
    /// the teacher that held that row out (cross-fitted: no row's target comes from a model that learnt its label).
    /// The student is the model's only member, so scoring and TreeSHAP walk one member's trees. It stops early, and is
    /// calibrated and thresholded, on the fold it did not learn from, with 0/1 labels (ModelTrainer.TrainStudent says
    /// which fold and why). Only the product's own learner (<c>gbdt</c>) accepts soft targets. Measured over four
    /// mechanisms and three training samples (docs/model.md, "Round 7"): alpha = 1 keeps 44–73 % of the four members'
    /// trees but loses 0.011 of the oracle on average (0 of 12 pairs up; +0.011 over one member), and 0.008 with
    /// <see cref="DistillEnsembleMean"/> (about what two members reach), so it is off.
    /// </summary>
    public double Distill { get; init; }

    /// <summary>
    /// Where the student's soft targets come from when <see cref="Distill"/> is on: <c>false</c> (the default) the one
    /// teacher that held the row out (cross-fitted, so no target saw its row's label, but each is one member's score);
    /// <c>true</c> the mean of every teacher's raw score on the row, in-sample for the teachers that learnt from it (each
    /// from its own out-of-fold encoded training matrix), so the target is the ensemble's, at the price of the teachers'
    /// fit to the row's label. Measured both ways in docs/model.md ("Round 7").
    /// </summary>
    public bool DistillEnsembleMean { get; init; }

    /// <summary>
    /// The student's round cap when <see cref="Distill"/> is on; 0 (the default) takes the teachers'
    /// (<see cref="GbdtOptions.NumRounds"/>). Soft targets give smaller gradients and less to overfit, so early stopping
    /// wants more rounds than with 0/1 labels (at alpha = 1 the student hit the 400-round cap on every retail sample;
    /// docs/model.md, "Round 7"). A separate cap, so that raising it leaves the teachers as they were.
    /// </summary>
    public int DistillNumRounds { get; init; }

    /// <summary>Worker threads; 0 means every core. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>The least early-stopping patience the large-data rule scales down to.</summary>
    public const int MinLargeDataPatience = 20;

    /// <summary>
    /// The options a training on <paramref name="rows"/> baskets uses: these, or above <see cref="LargeDataRows"/> the
    /// large-data rule's (members capped at <see cref="LargeDataMembers"/>; line-model passes scaled down to
    /// <c>LineModelEpochs × LargeDataRows / rows</c>, at least one; early-stopping patience scaled the same way, at
    /// least <see cref="MinLargeDataPatience"/>). The card records the options used.
    /// </summary>
    public TrainingOptions ForRows(int rows)
    {
        if (LargeDataRows == 0 || rows <= LargeDataRows)
        {
            return this;
        }

        var epochs = (int)Math.Max(1, (long)Featurizer.LineModelEpochs * LargeDataRows / rows);
        // Early-stopping patience scaled the same way: the validation fold grows with the rows, so its PR-AUC is less
        // noisy and a real peak shows sooner. The kept trees are the best prefix either way; the patience only decides
        // how many rounds past the peak are grown and thrown away (at 1,000,000 rows both members grew to the
        // 400-round cap for a peak near round 300).
        var patience = (int)Math.Max(MinLargeDataPatience, (long)Gbdt.EarlyStoppingRounds * LargeDataRows / rows);
        return this with
        {
            EnsembleMembers = Math.Min(EnsembleMembers, LargeDataMembers),
            Featurizer = Featurizer with { LineModelEpochs = Math.Min(Featurizer.LineModelEpochs, epochs) },
            Gbdt = Gbdt with { EarlyStoppingRounds = Math.Min(Gbdt.EarlyStoppingRounds, patience) },
        };
    }

    /// <summary>The keys <see cref="WithParameter"/> understands, with their current values.</summary>
    public IReadOnlyDictionary<string, string> ToParameters()
    {
        var g = Gbdt;
        var f = Featurizer;
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["seed"] = Text(Seed),
            ["ensemble_members"] = Text(EnsembleMembers),
            ["large_data_rows"] = Text(LargeDataRows),
            ["large_data_members"] = Text(LargeDataMembers),
            ["learner"] = Learner,
            ["threads"] = Text(Threads),
            ["num_rounds"] = Text(g.NumRounds),
            ["learning_rate"] = Text(g.LearningRate),
            ["num_leaves"] = Text(g.NumLeaves),
            ["max_depth"] = Text(g.MaxDepth),
            ["min_data_in_leaf"] = Text(g.MinDataInLeaf),
            ["min_hessian_in_leaf"] = Text(g.MinHessianInLeaf),
            ["l2"] = Text(g.L2),
            ["feature_fraction"] = Text(g.FeatureFraction),
            ["bagging_fraction"] = Text(g.BaggingFraction),
            ["max_bins"] = Text(g.MaxBins),
            ["positive_weight"] = Text(g.PositiveWeight),
            ["early_stopping_rounds"] = Text(g.EarlyStoppingRounds),
            ["min_rounds"] = Text(g.MinRounds),
            ["early_stopping_smoothing"] = Text(g.EarlyStoppingSmoothing),
            ["calibration"] = Calibration.ToString().ToLowerInvariant(),
            ["review_precision"] = Text(ReviewPrecision),
            ["decline_precision"] = Text(DeclinePrecision),
            ["validation_fraction"] = Text(ValidationFraction),
            ["calibration_fraction"] = Text(CalibrationFraction),
            ["test_fraction"] = Text(TestFraction),
            ["importance_sample_rows"] = Text(ImportanceSampleRows),
            ["max_categories"] = Text(f.MaxCategories),
            ["max_makes"] = Text(f.MaxMakes),
            ["min_vocabulary_lines"] = Text(f.MinVocabularyBaskets),
            ["min_encoding_count"] = Text(f.MinEncodingCount),
            ["smoothing"] = Text(f.Smoothing),
            ["encoding_folds"] = Text(f.Folds),
            ["line_model_epochs"] = Text(f.LineModelEpochs),
            ["line_model_learning_rate"] = Text(f.LineModelLearningRate),
            ["line_model_l2"] = Text(f.LineModelL2),
            ["min_token_length"] = Text(f.MinTokenLength),
            ["price_bands"] = f.PriceBands.ToString().ToLowerInvariant(),
            ["price_deciles"] = f.PriceDeciles ? "true" : "false",
            ["distill"] = Text(Distill),
            ["distill_ensemble_mean"] = DistillEnsembleMean ? "true" : "false",
            ["distill_num_rounds"] = Text(DistillNumRounds),
        };
    }

    /// <summary>
    /// Returns a copy with one parameter changed, as given on the command line (<c>--param learning_rate=0.05</c>).
    /// Throws <see cref="ArgumentException"/> naming the key for an unknown key or a value that does not parse.
    /// </summary>
    public TrainingOptions WithParameter(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var g = Gbdt;
        var f = Featurizer;
        var k = key.Trim().ToLowerInvariant().Replace('-', '_');
        var result = k switch
        {
            "seed" => this with { Seed = Int(k, value) },
            "threads" => this with { Threads = Int(k, value) },
            "num_rounds" => this with { Gbdt = g with { NumRounds = Int(k, value) } },
            "learning_rate" => this with { Gbdt = g with { LearningRate = Real(k, value) } },
            "num_leaves" => this with { Gbdt = g with { NumLeaves = Int(k, value) } },
            "max_depth" => this with { Gbdt = g with { MaxDepth = Int(k, value) } },
            "min_data_in_leaf" => this with { Gbdt = g with { MinDataInLeaf = Int(k, value) } },
            "min_hessian_in_leaf" => this with { Gbdt = g with { MinHessianInLeaf = Real(k, value) } },
            "l2" => this with { Gbdt = g with { L2 = Real(k, value) } },
            "feature_fraction" => this with { Gbdt = g with { FeatureFraction = Real(k, value) } },
            "bagging_fraction" => this with { Gbdt = g with { BaggingFraction = Real(k, value) } },
            "max_bins" => this with { Gbdt = g with { MaxBins = Int(k, value) } },
            "positive_weight" => this with { Gbdt = g with { PositiveWeight = Real(k, value) } },
            "early_stopping_rounds" => this with { Gbdt = g with { EarlyStoppingRounds = Int(k, value) } },
            "min_rounds" => this with { Gbdt = g with { MinRounds = Int(k, value) } },
            "early_stopping_smoothing" => this with { Gbdt = g with { EarlyStoppingSmoothing = Int(k, value) } },
            "calibration" => this with { Calibration = Method(value) },
            "review_precision" => this with { ReviewPrecision = Real(k, value) },
            "decline_precision" => this with { DeclinePrecision = Real(k, value) },
            "validation_fraction" => this with { ValidationFraction = Real(k, value) },
            "calibration_fraction" => this with { CalibrationFraction = Real(k, value) },
            "test_fraction" => this with { TestFraction = Real(k, value) },
            "importance_sample_rows" => this with { ImportanceSampleRows = Int(k, value) },
            "max_categories" => this with { Featurizer = f with { MaxCategories = Int(k, value) } },
            "max_makes" => this with { Featurizer = f with { MaxMakes = Int(k, value) } },
            "min_vocabulary_lines" => this with { Featurizer = f with { MinVocabularyBaskets = Int(k, value) } },
            "min_encoding_count" => this with { Featurizer = f with { MinEncodingCount = Int(k, value) } },
            "smoothing" => this with { Featurizer = f with { Smoothing = Real(k, value) } },
            "encoding_folds" => this with { Featurizer = f with { Folds = Int(k, value) } },
            "line_model_epochs" => this with { Featurizer = f with { LineModelEpochs = Int(k, value) } },
            "line_model_learning_rate" => this with { Featurizer = f with { LineModelLearningRate = Real(k, value) } },
            "line_model_l2" => this with { Featurizer = f with { LineModelL2 = Real(k, value) } },
            "ensemble_members" => this with { EnsembleMembers = Int(k, value) },
            "large_data_rows" => this with { LargeDataRows = Int(k, value) },
            "large_data_members" => this with { LargeDataMembers = Int(k, value) },
            "learner" => this with { Learner = LearnerName(value) },
            "min_token_length" => this with { Featurizer = f with { MinTokenLength = Int(k, value) } },
            "price_bands" => this with { Featurizer = f with { PriceBands = BandMode(value) } },
            "price_deciles" => this with { Featurizer = f with { PriceDeciles = Flag(k, value) } },
            "distill" => this with { Distill = Real(k, value) },
            "distill_ensemble_mean" => this with { DistillEnsembleMean = Flag(k, value) },
            "distill_num_rounds" => this with { DistillNumRounds = Int(k, value) },
            _ => throw new ArgumentException($"Unknown training parameter '{key}'. Known: {string.Join(", ", ToParameters().Keys)}.", nameof(key)),
        };

        try
        {
            result.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Training parameter '{k}' = '{value}' is out of range: {FirstLine(ex.Message)}", nameof(value), ex);
        }

        return result;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Gbdt);
        ArgumentNullException.ThrowIfNull(Featurizer);
        Gbdt.Validate();
        Featurizer.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(EnsembleMembers, 1, nameof(EnsembleMembers));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(EnsembleMembers, 16, nameof(EnsembleMembers));
        ArgumentOutOfRangeException.ThrowIfNegative(LargeDataRows, nameof(LargeDataRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(LargeDataMembers, 1, nameof(LargeDataMembers));
        ArgumentOutOfRangeException.ThrowIfNegative(ImportanceSampleRows, nameof(ImportanceSampleRows));
        CheckFraction(ReviewPrecision, nameof(ReviewPrecision));
        CheckFraction(DeclinePrecision, nameof(DeclinePrecision));
        if (DeclinePrecision <= ReviewPrecision)
        {
            throw new ArgumentOutOfRangeException(nameof(DeclinePrecision), DeclinePrecision, "The decline precision must be stricter (higher) than the review precision.");
        }

        if (!(Distill >= 0 && Distill <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Distill), Distill, "Distill must be between 0 (off) and 1 (soft targets only).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(DistillNumRounds, nameof(DistillNumRounds));
        if (Distill > 0 && Learner != TreeLearners.Gbdt)
        {
            throw new ArgumentOutOfRangeException(nameof(Distill), Distill, $"Distill trains the student on soft targets, which only the '{TreeLearners.Gbdt}' learner accepts (learner is '{Learner}').");
        }

        CheckFraction(ValidationFraction, nameof(ValidationFraction));
        if (CalibrationFraction != 0)
        {
            CheckFraction(CalibrationFraction, nameof(CalibrationFraction));
        }
        CheckFraction(TestFraction, nameof(TestFraction));
        if (ValidationFraction + CalibrationFraction + TestFraction >= 0.9)
        {
            throw new ArgumentOutOfRangeException(nameof(TestFraction), "Validation, calibration and test shares together must leave at least 10% for training.");
        }
    }

    private static void CheckFraction(double value, string name)
    {
        if (!(value > 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1.");
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static int Int(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ArgumentException($"Training parameter '{key}' needs a whole number; got '{value}'.", nameof(value));

    private static double Real(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"Training parameter '{key}' needs a number; got '{value}'.", nameof(value));

    private static bool Flag(string key, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "1" => true,
        "false" or "off" or "0" => false,
        _ => throw new ArgumentException($"Training parameter '{key}' is 'true' or 'false'; got '{value}'.", nameof(value)),
    };

    private static string LearnerName(string value)
    {
        var name = value.Trim().ToLowerInvariant();
        return TreeLearners.Known.Contains(name)
            ? name
            : throw new ArgumentException($"Training parameter 'learner' is one of {string.Join(", ", TreeLearners.Known)}; got '{value}'.", nameof(value));
    }

    private static PriceBandMode BandMode(string value) => value.Trim().ToLowerInvariant() switch
    {
        "quantile" => PriceBandMode.Quantile,
        "fixed" => PriceBandMode.Fixed,
        "none" => PriceBandMode.None,
        _ => throw new ArgumentException($"Training parameter 'price_bands' is 'quantile', 'fixed' or 'none'; got '{value}'.", nameof(value)),
    };

    private static CalibrationMethod Method(string value) => value.Trim().ToLowerInvariant() switch
    {
        "isotonic" => CalibrationMethod.Isotonic,
        "platt" => CalibrationMethod.Platt,
        _ => throw new ArgumentException($"Training parameter 'calibration' is 'isotonic' or 'platt'; got '{value}'.", nameof(value)),
    };
}
