namespace Fraud.Learning;

/// <summary>
/// Histogram gradient boosting of regression trees for binary log-loss: second-order boosting with L2-regularised
/// leaves (Chen &amp; Guestrin, 2016), histogram split finding with leaf-wise growth (Ke et al., 2017), optional
/// bagging and feature sampling, early stopping on validation PR-AUC. Deterministic for a given seed: every parallel
/// step either writes disjoint outputs or sums fixed partitions in a fixed order, so even the thread count does not
/// change the model.
/// </summary>
public static class GbdtTrainer
{
    /// <summary>Trains a model.</summary>
    /// <param name="x">Training features (NaN = missing).</param>
    /// <param name="y">
    /// Training targets, one per row: 0 or 1, or a probability in [0, 1] (soft targets, e.g. for distillation; the
    /// log-loss is then the cross-entropy against that probability, with gradient p - y and hessian p (1 - p)).
    /// </param>
    /// <param name="options">Hyper-parameters.</param>
    /// <param name="validX">Optional validation features for early stopping and progress.</param>
    /// <param name="validY">Validation labels, 0 or 1; required with <paramref name="validX"/>.</param>
    /// <param name="onRound">Called after every round.</param>
    /// <param name="cancellationToken">Checked between rounds.</param>
    /// <returns>With a validation set and early stopping, the model truncated to its best round.</returns>
    public static GbdtModel Train(
        FeatureMatrix x,
        float[] y,
        GbdtOptions options,
        FeatureMatrix? validX = null,
        float[]? validY = null,
        Action<BoostingRound>? onRound = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckLabels(x, y, nameof(y), soft: true);
        if (x.Rows == 0)
        {
            throw new ArgumentException("The training matrix has no rows.", nameof(x));
        }

        if ((validX is null) != (validY is null))
        {
            throw new ArgumentException("Give both validation features and validation labels, or neither.", validX is null ? nameof(validX) : nameof(validY));
        }

        if (validX is not null)
        {
            if (validX.Columns != x.Columns)
            {
                throw new ArgumentException($"Validation has {validX.Columns} features, training {x.Columns}.", nameof(validX));
            }

            CheckLabels(validX, validY!, nameof(validY), soft: false);
            if (options.EarlyStoppingRounds > 0 && Array.IndexOf(validY!, 1f) < 0)
            {
                throw new ArgumentException("The validation labels contain no positive example, so PR-AUC cannot guide early stopping.", nameof(validY));
            }
        }

        return new BoostingRun(x, y, options, validX, validY).Run(onRound, cancellationToken);
    }

    /// <summary>Validation labels must be 0 or 1 (PR-AUC needs classes); training targets may be any probability.</summary>
    private static void CheckLabels(FeatureMatrix x, float[] y, string name, bool soft)
    {
        if (y.Length != x.Rows)
        {
            throw new ArgumentException($"Expected {x.Rows} labels (one per row), got {y.Length}.", name);
        }

        for (var i = 0; i < y.Length; i++)
        {
            if (soft ? !(y[i] >= 0f && y[i] <= 1f) : y[i] is not (0f or 1f))
            {
                throw new ArgumentException($"Label {i} is {y[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; {(soft ? "training targets must be probabilities between 0 and 1" : "labels must be 0 or 1")}.", name);
            }
        }
    }
}
