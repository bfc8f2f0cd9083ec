using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Model.Features;

namespace Fraud.Model;

/// <summary>The logistic-regression baseline trained beside the trees, on the same features, Platt-calibrated; for comparisons only.</summary>
public sealed class BaselineModel
{
    private readonly BasketFeaturizer _featurizer;
    private readonly LogisticRegression _regression;
    private readonly ICalibrator _calibrator;

    internal BaselineModel(BasketFeaturizer featurizer, LogisticRegression regression, ICalibrator calibrator)
    {
        _featurizer = featurizer;
        _regression = regression;
        _calibrator = calibrator;
    }

    /// <summary>Calibrated probabilities of many baskets, in order.</summary>
    public double[] PredictProbabilities(IReadOnlyList<Basket> baskets)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var row = new float[_featurizer.FeatureCount];
        var result = new double[baskets.Count];
        for (var i = 0; i < baskets.Count; i++)
        {
            _featurizer.Featurize(baskets[i], row);
            result[i] = _calibrator.Calibrate(_regression.PredictRaw(row));
        }

        return result;
    }
}
