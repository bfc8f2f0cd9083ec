using Fraud.Learning;

namespace Fraud.Model.Drift;

/// <summary>
/// Classifier two-sample test (Lopez-Paz and Oquab, "Revisiting classifier two-sample tests", ICLR 2017): a small
/// gradient-boosted model (the product's own learner) learns to tell reference rows from current rows on the model's
/// features. If the two samples come from one population no classifier can do better than chance on rows it did not
/// learn from, so its held-out ROC AUC stays near 0.5; a population that moved in any direction the features see,
/// alone or jointly (a product mix shift that a vote over columns dilutes), lifts it. TreeSHAP on the classifier says
/// which features carried the difference.
/// </summary>
/// <remarks>
/// The AUC is cross-fitted over two seeded halves (each row scored by the model that did not learn from it), so every
/// sampled row counts once. Its spread under "no drift" is calibrated by permutation: the same procedure with the
/// reference/current labels shuffled, which makes the two samples exchangeable by construction. A handful of
/// permutations estimate the spread, not a 0.1 % tail, so the threshold is 0.5 plus the larger of z·σ_MW, with σ_MW
/// the Mann–Whitney null spread √((n₁+n₂+1)/(12·n₁·n₂)) (exact for scores independent of the labels) and z the normal
/// quantile of the chosen false-alarm rate, and t·σ_perm, with σ_perm the permutations' spread and t Student's
/// quantile for that many degrees of freedom (σ_perm is an estimate from a few runs; see <see cref="Margin"/>). At most <see cref="DriftOptions.ClassifierRows"/>
/// rows of each side are used (a seeded random subset): the test's cost stays flat and its sensitivity stops growing with the window, so a
/// 100,000-basket day is not alerted for a shift too small to matter.
/// </remarks>
public static class ClassifierTwoSampleTest
{
    /// <summary>Runs the test on two matrices of the same feature layout.</summary>
    public static ClassifierTestResult Run(FeatureMatrix reference, FeatureMatrix current, IReadOnlyList<string> featureNames, DriftOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(options);
        if (reference.Columns != current.Columns || reference.Columns != featureNames.Count)
        {
            throw new ArgumentException($"Reference ({reference.Columns}) and current ({current.Columns}) rows need the same {featureNames.Count} features.", nameof(current));
        }

        var referenceRows = Math.Min(reference.Rows, options.ClassifierRows);
        var currentRows = Math.Min(current.Rows, options.ClassifierRows);
        var result = new ClassifierTestResult { ReferenceRows = referenceRows, CurrentRows = currentRows, Permutations = options.ClassifierPermutations };
        if (referenceRows < MinRowsPerSide || currentRows < MinRowsPerSide)
        {
            result.Skipped = $"too few rows for the classifier test ({referenceRows} reference, {currentRows} current; {MinRowsPerSide} each needed)";
            return result;
        }

        var width = reference.Columns;
        var x = new FeatureMatrix(referenceRows + currentRows, width);
        var random = new Random(options.Seed);
        CopySample(reference, referenceRows, x, 0, random);
        CopySample(current, currentRows, x, referenceRows, random);
        var y = new float[x.Rows];
        y.AsSpan(referenceRows).Fill(1f);

        // One random halving for every run (real and permuted), so the permutations differ from the real run only in labels.
        var fold = new byte[x.Rows];
        var order = Enumerable.Range(0, x.Rows).ToArray();
        random.Shuffle(order);
        for (var i = 0; i < order.Length; i++)
        {
            fold[order[i]] = (byte)(i & 1);
        }

        var gbdt = new GbdtOptions
        {
            NumRounds = options.ClassifierRounds,
            LearningRate = 0.1,
            NumLeaves = 15,
            MinDataInLeaf = 50,
            L2 = 10,
            MaxBins = 63,
            EarlyStoppingRounds = 0,
            Seed = options.Seed,
            Threads = options.Threads,
        };

        var scores = new double[x.Rows];
        var (models, auc) = CrossFit(x, y, fold, gbdt, scores, cancellationToken);
        result.Auc = auc;

        var shuffled = (float[])y.Clone();
        double squares = 0;
        var nulls = new double[options.ClassifierPermutations];
        for (var p = 0; p < nulls.Length; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(shuffled);
            (_, nulls[p]) = CrossFit(x, shuffled, fold, gbdt with { Seed = options.Seed + p + 1 }, scores, cancellationToken);
            squares += (nulls[p] - 0.5) * (nulls[p] - 0.5);
        }

        result.NullAucs = nulls;
        var mannWhitney = Math.Sqrt((referenceRows + currentRows + 1.0) / (12.0 * referenceRows * currentRows));
        var permutation = nulls.Length == 0 ? 0 : Math.Sqrt(squares / nulls.Length);
        result.NullStd = Math.Max(mannWhitney, permutation);
        result.WarnAuc = 0.5 + Margin(options.WarnFalseAlarmRate, mannWhitney, permutation, nulls.Length);
        result.AlertAuc = 0.5 + Margin(options.AlertFalseAlarmRate, mannWhitney, permutation, nulls.Length);
        result.Z = (auc - 0.5) / result.NullStd;
        result.PValue = DriftStatistics.NormalUpperTail(result.Z);
        result.Status = auc >= result.AlertAuc ? DriftStatus.Alert : auc >= result.WarnAuc ? DriftStatus.Warn : DriftStatus.Ok;
        result.TopFeatures = TopFeatures(models[0], x, fold, y, featureNames, options);
        return result;
    }

    /// <summary>Fewer rows than this on a side and the AUC is too coarse to read.</summary>
    public const int MinRowsPerSide = 100;

    /// <summary>A seeded random subset of rows, in their order: no stride can line up with how rows were produced.</summary>
    /// <summary>
    /// How far above 0.5 the AUC must be for the given false-alarm rate. The Mann–Whitney spread is exact for scores
    /// independent of the labels, so its margin is the normal quantile times it. The permutation spread is estimated
    /// from only <paramref name="permutations"/> runs (mean known: 0.5), so its margin is Student's t quantile with that
    /// many degrees of freedom: with 8 permutations the estimate is within ±25 % of the true spread only two times in
    /// three, and the normal quantile on an underestimate warned on 2 and 1 of 20 same-population windows
    /// (`fraud drift bench`, sizes 2,000 and 20,000) where 0.2 were expected. The larger margin applies.
    /// </summary>
    internal static double Margin(double falseAlarmRate, double mannWhitney, double permutation, int permutations)
    {
        var exact = DriftStatistics.NormalQuantile(1 - falseAlarmRate) * mannWhitney;
        if (permutations == 0)
        {
            return exact;
        }

        var estimated = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, permutations, 1 - falseAlarmRate) * permutation;
        return Math.Max(exact, estimated);
    }

    private static void CopySample(FeatureMatrix source, int rows, FeatureMatrix destination, int at, Random random)
    {
        var picked = Enumerable.Range(0, source.Rows).ToArray();
        if (rows < source.Rows)
        {
            random.Shuffle(picked);
            Array.Sort(picked, 0, rows);
        }

        for (var k = 0; k < rows; k++)
        {
            source.Row(picked[k]).CopyTo(destination.Row(at + k));
        }
    }

    private static (GbdtModel[] Models, double Auc) CrossFit(FeatureMatrix x, float[] y, byte[] fold, GbdtOptions gbdt, double[] scores, CancellationToken ct)
    {
        var models = new GbdtModel[2];
        for (var f = 0; f < 2; f++)
        {
            var (trainX, trainY) = Part(x, y, fold, f, keep: false);
            models[f] = GbdtTrainer.Train(trainX, trainY, gbdt, cancellationToken: ct);
        }

        for (var r = 0; r < x.Rows; r++)
        {
            // The model of the other half scores each row: it never saw the row or its label.
            scores[r] = models[fold[r]].PredictRaw(x.Row(r));
        }

        return (models, Metrics.RocAuc(scores, y));
    }

    private static (FeatureMatrix X, float[] Y) Part(FeatureMatrix x, float[] y, byte[] fold, int f, bool keep)
    {
        var count = 0;
        foreach (var b in fold)
        {
            count += (b == f) == keep ? 1 : 0;
        }

        var part = new FeatureMatrix(count, x.Columns);
        var labels = new float[count];
        var k = 0;
        for (var r = 0; r < x.Rows; r++)
        {
            if ((fold[r] == f) == keep)
            {
                x.Row(r).CopyTo(part.Row(k));
                labels[k++] = y[r];
            }
        }

        return (part, labels);
    }

    /// <summary>Mean |SHAP| of the classifier (trained without fold 0) on fold-0 rows: the features that told the samples apart.</summary>
    private static List<ClassifierFeature> TopFeatures(GbdtModel model, FeatureMatrix x, byte[] fold, float[] y, IReadOnlyList<string> names, DriftOptions options)
    {
        var width = x.Columns;
        var shap = new double[width];
        var contributions = new double[width];
        var held = new List<int>();
        for (var r = 0; r < x.Rows; r++)
        {
            if (fold[r] == 0)
            {
                held.Add(r);
            }
        }

        var rows = Math.Min(options.ClassifierShapRows, held.Count);
        for (var k = 0; k < rows; k++)
        {
            TreeShap.Explain(model, x.Row(held[(int)((long)k * held.Count / rows)]), contributions);
            for (var f = 0; f < width; f++)
            {
                shap[f] += Math.Abs(contributions[f]);
            }
        }

        var total = shap.Sum();
        var ranked = new List<ClassifierFeature>();
        if (total <= 0)
        {
            return ranked;
        }

        foreach (var f in Enumerable.Range(0, width).OrderByDescending(f => shap[f]).ThenBy(f => f).Take(options.ClassifierTopFeatures))
        {
            if (shap[f] <= 0)
            {
                break;
            }

            double referenceSum = 0, currentSum = 0;
            int referenceCount = 0, currentCount = 0;
            for (var r = 0; r < x.Rows; r++)
            {
                var v = x[r, f];
                if (!float.IsFinite(v))
                {
                    continue;
                }

                if (y[r] > 0.5f)
                {
                    currentSum += v;
                    currentCount++;
                }
                else
                {
                    referenceSum += v;
                    referenceCount++;
                }
            }

            ranked.Add(new ClassifierFeature
            {
                Name = names[f],
                Share = shap[f] / total,
                ReferenceMean = referenceCount == 0 ? null : referenceSum / referenceCount,
                CurrentMean = currentCount == 0 ? null : currentSum / currentCount,
            });
        }

        return ranked;
    }
}

/// <summary>The outcome of <see cref="ClassifierTwoSampleTest"/>.</summary>
public sealed class ClassifierTestResult
{
    /// <summary>Cross-fitted held-out ROC AUC of telling current (positive) from reference rows; 0.5 = indistinguishable.</summary>
    public double Auc { get; set; }

    /// <summary>Spread of the AUC under no drift: the larger of the permutation spread and the Mann–Whitney one.</summary>
    public double NullStd { get; set; }

    /// <summary>AUC from which the test warns (0.5 + the larger of z·σ_MW and t·σ_perm at the warn false-alarm rate).</summary>
    public double WarnAuc { get; set; }

    /// <summary>AUC from which the test alerts (0.5 + the larger of z·σ_MW and t·σ_perm at the alert false-alarm rate).</summary>
    public double AlertAuc { get; set; }

    /// <summary>(AUC − 0.5) / σ.</summary>
    public double Z { get; set; }

    /// <summary>One-sided p-value of the AUC under no drift (normal approximation with σ).</summary>
    public double PValue { get; set; }

    /// <summary><c>ok</c>, <c>warn</c> or <c>alert</c>.</summary>
    public string Status { get; set; } = DriftStatus.Ok;

    public int ReferenceRows { get; set; }

    public int CurrentRows { get; set; }

    public int Permutations { get; set; }

    /// <summary>Held-out AUCs with shuffled labels.</summary>
    public double[] NullAucs { get; set; } = [];

    /// <summary>Features carrying the classifier's decision, by share of its mean |SHAP|.</summary>
    public List<ClassifierFeature> TopFeatures { get; set; } = [];

    /// <summary>Why the test did not run, when it did not.</summary>
    public string? Skipped { get; set; }
}

/// <summary>A feature the two-sample classifier relied on.</summary>
public sealed class ClassifierFeature
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Share of the classifier's mean |SHAP| carried by this feature.</summary>
    public double Share { get; set; }

    public double? ReferenceMean { get; set; }

    public double? CurrentMean { get; set; }
}
