using System.Diagnostics;
using Fraud.Learning;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Fraud.Model.MLNet;

/// <summary>
/// Microsoft.ML's gradient-boosted trees (managed FastTree, or native LightGBM 4.6 through Microsoft.ML.LightGbm) as a
/// product learner: trained on the product's featurized rows with the product's hyper-parameters where ML.NET has
/// them, read back through <c>TrainedTreeEnsemble</c> (splits, thresholds, leaf values) and written as the product's
/// own trees, so serving, TreeSHAP, calibration, the card, the registry and monitoring do not know which learner ran.
/// ML.NET trains the full <see cref="GbdtOptions.NumRounds"/> trees; the kept prefix is chosen by the product's own
/// early-stopping rule (<see cref="EarlyStoppingMonitor"/>: smoothed validation PR-AUC) on the same validation rows.
/// Covers (training rows per node, which TreeSHAP weighs paths by) are counted by routing the training rows through
/// the exported trees, since ML.NET does not expose them. The export is checked against ML.NET's own scores on the
/// validation rows before it is returned.
/// </summary>
public sealed class MLNetTreeLearner : ITreeLearner
{
    private MLNetTreeLearner(string name) => Name = name;

    /// <summary>Microsoft.ML.FastTree: managed, no native dependency.</summary>
    public static MLNetTreeLearner FastTree { get; } = new("fasttree");

    /// <summary>Microsoft.ML.LightGbm: native LightGBM (needs <c>libgomp.so.1</c>); never the in-app default.</summary>
    public static MLNetTreeLearner LightGbm { get; } = new("lightgbm");

    /// <summary>Registers both with <see cref="TreeLearners"/>.</summary>
    public static void RegisterAll()
    {
        TreeLearners.Register(FastTree);
        TreeLearners.Register(LightGbm);
    }

    public string Name { get; }

    public GbdtModel Train(FeatureMatrix x, float[] y, GbdtOptions options, FeatureMatrix validX, float[] validY, Action<BoostingRound>? onRound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validX);
        ArgumentNullException.ThrowIfNull(validY);
        cancellationToken.ThrowIfCancellationRequested();
        var ml = new MLContext(options.Seed);
        var train = View(ml, x, y);
        var threads = options.Threads == 0 ? (int?)null : options.Threads;
        RegressionTreeEnsemble ensemble;
        ITransformer transformer;
        if (Name == "fasttree")
        {
            var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.NumRounds,
                NumberOfLeaves = Math.Max(2, options.NumLeaves),
                MinimumExampleCountPerLeaf = options.MinDataInLeaf,
                LearningRate = options.LearningRate,
                FeatureFraction = options.FeatureFraction,
                // FastTree bags per group of trees; one tree per bag is the product's per-round bagging.
                BaggingSize = options.BaggingFraction < 1 ? 1 : 0,
                BaggingExampleFraction = options.BaggingFraction,
                MaximumBinCountPerFeature = options.MaxBins,
                Seed = options.Seed,
                NumberOfThreads = threads,
                FeatureColumnName = "Features",
                LabelColumnName = "Label",
            });
            var fitted = trainer.Fit(train);
            (ensemble, transformer) = (fitted.Model.SubModel.TrainedTreeEnsemble, fitted);
        }
        else
        {
            var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = options.NumRounds,
                NumberOfLeaves = Math.Max(2, options.NumLeaves),
                MinimumExampleCountPerLeaf = options.MinDataInLeaf,
                LearningRate = options.LearningRate,
                MaximumBinCountPerFeature = options.MaxBins,
                Seed = options.Seed,
                NumberOfThreads = threads,
                Verbose = false,
                Silent = true,
                Booster = new GradientBooster.Options
                {
                    L2Regularization = options.L2,
                    MaximumTreeDepth = options.MaxDepth,
                    FeatureFraction = options.FeatureFraction,
                    SubsampleFraction = options.BaggingFraction,
                    SubsampleFrequency = options.BaggingFraction < 1 ? 1 : 0,
                    MinimumChildWeight = options.MinHessianInLeaf,
                },
                FeatureColumnName = "Features",
                LabelColumnName = "Label",
            });
            var fitted = trainer.Fit(train);
            (ensemble, transformer) = (fitted.Model.SubModel.TrainedTreeEnsemble, fitted);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var trees = ensemble.Trees.Select((tree, t) => TreeExport.Convert(tree, ensemble.TreeWeights[t])).ToList();
        TreeExport.Cover(trees, x);
        var keep = KeptRounds(trees, ensemble.Bias, validX, validY, options, onRound);
        var model = GbdtModel.FromDto(new GbdtModelDto { FeatureCount = x.Columns, BaseScore = ensemble.Bias, Trees = [.. trees.Take(keep)] });
        CheckAgainstMLNet(ml, transformer, GbdtModel.FromDto(new GbdtModelDto { FeatureCount = x.Columns, BaseScore = ensemble.Bias, Trees = [.. trees] }), validX, validY);
        return model;
    }

    // The product's rule on ML.NET's trees: per-round validation PR-AUC and log-loss of the growing prefix, the best
    // smoothed round kept. ML.NET has already grown every round, so this never stops it early; it only truncates.
    private static int KeptRounds(List<GbdtTreeDto> trees, double bias, FeatureMatrix validX, float[] validY, GbdtOptions options, Action<BoostingRound>? onRound)
    {
        var scores = new double[validX.Rows];
        Array.Fill(scores, bias);
        var monitor = new EarlyStoppingMonitor(options.EarlyStoppingRounds, options.MinRounds, options.EarlyStoppingSmoothing);
        for (var t = 0; t < trees.Count; t++)
        {
            for (var r = 0; r < validX.Rows; r++)
            {
                scores[r] += TreeExport.Predict(trees[t], validX.Row(r));
            }

            var ap = Metrics.AveragePrecision(scores, validY);
            var loss = LogLoss(scores, validY);
            onRound?.Invoke(new BoostingRound(t + 1, double.NaN, loss, ap));
            if (monitor.Record(t + 1, ap, loss) && options.EarlyStoppingRounds > 0)
            {
                break;
            }
        }

        return options.EarlyStoppingRounds > 0 ? Math.Max(1, monitor.BestRound) : trees.Count;
    }

    private static double LogLoss(double[] raw, float[] y)
    {
        double sum = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var p = 1 / (1 + Math.Exp(-raw[i]));
            sum -= y[i] > 0.5 ? Math.Log(Math.Max(p, 1e-15)) : Math.Log(Math.Max(1 - p, 1e-15));
        }

        return sum / raw.Length;
    }

    // The exported trees must score every row as ML.NET does (its raw "Score" column), or the export is wrong.
    private static void CheckAgainstMLNet(MLContext ml, ITransformer transformer, GbdtModel exported, FeatureMatrix validX, float[] validY)
    {
        var scored = transformer.Transform(View(ml, validX, validY));
        var expected = scored.GetColumn<float>("Score").ToArray();
        for (var r = 0; r < validX.Rows; r++)
        {
            var actual = exported.PredictRaw(validX.Row(r));
            if (Math.Abs(actual - expected[r]) > 1e-3 * Math.Max(1, Math.Abs(expected[r])))
            {
                throw new InvalidOperationException($"The trees exported from ML.NET score validation row {r} as {actual}, ML.NET as {expected[r]}: the export does not match.");
            }
        }
    }

    private static IDataView View(MLContext ml, FeatureMatrix x, float[] y)
    {
        Debug.Assert(x.Rows == y.Length);
        var rows = new FeatureRow[x.Rows];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = new FeatureRow { Label = y[r] > 0.5f, Features = x.Row(r).ToArray() };
        }

        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x.Columns);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class FeatureRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
