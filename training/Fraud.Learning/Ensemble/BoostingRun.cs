namespace Fraud.Learning;

/// <summary>State of one training run: binned data, scores, gradients and the trees so far.</summary>
internal sealed class BoostingRun
{
    // Dropped once binned (the trees learn from the bins): a caller that keeps no reference of its own then frees the
    // float matrix, four times the binned copy's size, for the whole boosting loop.
    private FeatureMatrix? _x;
    private readonly int _columns;
    private readonly float[] _y;
    private readonly GbdtOptions _options;
    private readonly FeatureMatrix? _validX;
    private readonly float[]? _validY;
    private readonly int _threads;

    public BoostingRun(FeatureMatrix x, float[] y, GbdtOptions options, FeatureMatrix? validX, float[]? validY)
    {
        _x = x;
        _columns = x.Columns;
        _y = y;
        _options = options;
        _validX = validX;
        _validY = validY;
        _threads = options.EffectiveThreads;
    }

    public GbdtModel Run(Action<BoostingRound>? onRound, CancellationToken cancellationToken)
    {
        var rows = _x!.Rows;
        var data = BinnedMatrix.Build(_x, _options.MaxBins, _threads);
        _x = null;
        var learner = new LeafwiseTreeLearner(data, _options, _threads);
        var sampling = new Sampling(_options, data);
        var baseScore = BinaryLogLoss.BaseScore(_y, _options.PositiveWeight);

        var scores = new double[rows];
        Array.Fill(scores, baseScore);
        var gradients = new double[rows];
        var hessians = new double[rows];
        var partials = new double[BinaryLogLoss.PartialCount(rows)];
        BinaryLogLoss.Gradients(scores, _y, _options.PositiveWeight, gradients, hessians, _threads, partials);

        double[]? validScores = null;
        if (_validX is not null)
        {
            validScores = new double[_validX.Rows];
            Array.Fill(validScores, baseScore);
        }

        var stopping = new EarlyStoppingMonitor(
            validScores is null ? 0 : _options.EarlyStoppingRounds, _options.MinRounds, _options.EarlyStoppingSmoothing);
        var trees = new List<TreeNodes>(_options.NumRounds);
        for (var round = 1; round <= _options.NumRounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sampling.Draw(round);
            var tree = learner.Grow(gradients, hessians, sampling.Bag, sampling.BagCount, sampling.Features, sampling.FeatureCount);
            trees.Add(tree);
            // The validation side (its scores, loss and PR-AUC: a sort of the validation rows, single-threaded) touches
            // nothing the training side does, so it runs beside the training scores and gradients: the same numbers,
            // one serial stretch less per round (at 1,000,000 baskets about 20 ms of a round's wall time).
            var validation = validScores is null ? null : Task.Run(() =>
            {
                UpdateValidationScores(validScores, tree);
                return (Loss: BinaryLogLoss.MeanLoss(validScores, _validY), Ap: Metrics.AveragePrecision(validScores, _validY));
            }, cancellationToken);
            UpdateTrainingScores(scores, tree, learner, sampling, data);
            var trainLoss = BinaryLogLoss.Gradients(scores, _y, _options.PositiveWeight, gradients, hessians, _threads, partials);

            double? validLoss = null;
            double? validAp = null;
            var stop = false;
            if (validation is not null)
            {
                var (loss, ap) = validation.GetAwaiter().GetResult();
                validLoss = loss;
                // Undefined without validation positives (only possible when early stopping is off).
                validAp = double.IsNaN(ap) ? null : ap;
                stop = validAp is { } score && stopping.Record(round, score, loss);
            }

            onRound?.Invoke(new BoostingRound(round, trainLoss, validLoss, validAp));
            if (stop)
            {
                break;
            }
        }

        var keep = validScores is not null && _options.EarlyStoppingRounds > 0 ? stopping.BestRound : trees.Count;
        return GbdtModel.FromTrees(_columns, baseScore, trees.GetRange(0, keep));
    }

    private static void UpdateTrainingScores(double[] scores, TreeNodes tree, LeafwiseTreeLearner learner, Sampling sampling, BinnedMatrix data)
    {
        // In-bag rows: the partition already knows their leaf.
        for (var leaf = 0; leaf < learner.LeafCount; leaf++)
        {
            var value = tree.Value[learner.LeafNode(leaf)];
            foreach (var row in learner.LeafRows(leaf))
            {
                scores[row] += value;
            }
        }

        if (sampling.Bag is null)
        {
            return;
        }

        // Out-of-bag rows walk the tree on their bins.
        var bag = sampling.Bag.AsSpan(0, sampling.BagCount);
        var next = 0;
        for (var row = 0; row < scores.Length; row++)
        {
            if (next < bag.Length && bag[next] == row)
            {
                next++;
                continue;
            }

            scores[row] += tree.Value[tree.LeafOf(data, row)];
        }
    }

    private void UpdateValidationScores(double[] validScores, TreeNodes tree)
    {
        var x = _validX!;
        for (var row = 0; row < x.Rows; row++)
        {
            validScores[row] += tree.Value[tree.LeafOf(x.Values.AsSpan(row * x.Columns, x.Columns))];
        }
    }
}
