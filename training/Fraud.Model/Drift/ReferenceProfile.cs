using Fraud.Baskets;
using Fraud.Learning;

namespace Fraud.Model.Drift;

/// <summary>
/// What the training data looked like, kept in the model card so that later traffic can be compared with it:
/// quantile bins and a CDF grid per numeric feature, top-K shares of item categories and makes, and the score
/// distribution. Plain properties and arrays only, so it serialises with System.Text.Json as part of the card.
/// </summary>
public sealed class ReferenceProfile
{
    /// <summary>Version of this layout; a reader rejects a profile it does not understand.</summary>
    public int SchemaVersion { get; set; } = 2;

    /// <summary>Baskets the profile was built from.</summary>
    public int Rows { get; set; }

    /// <summary>Mean score of the reference baskets: the fraud rate a calibrated model expects on the same population.</summary>
    public double ExpectedFraudRate { get; set; }

    /// <summary>One entry per model feature, in the featurizer's column order.</summary>
    public List<NumericProfile> Features { get; set; } = [];

    /// <summary>
    /// Item-level categorical distributions (item category, make) of version-1 profiles; newer profiles keep them
    /// in <see cref="Inputs"/>.
    /// </summary>
    public List<CategoricalProfile> Categories { get; set; } = [];

    /// <summary>Basket-level input signals dataset drift is judged on; null in cards written before they existed.</summary>
    public InputProfile? Inputs { get; set; }

    /// <summary>Distribution of the model's fraud probability on the reference baskets.</summary>
    public NumericProfile Score { get; set; } = new();

    /// <summary>Builds the profile from the training baskets, their feature matrix and the model's scores on them.</summary>
    public static ReferenceProfile Build(
        IReadOnlyList<Basket> baskets,
        FeatureMatrix features,
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Build(baskets, features.Values, featureNames, scores, options);
    }

    /// <summary>
    /// Builds the profile from the training baskets, their feature matrix (row-major, <paramref name="featureNames"/>.Count
    /// columns, NaN = missing) and the model's scores on them.
    /// </summary>
    public static ReferenceProfile Build(
        IReadOnlyList<Basket> baskets,
        ReadOnlySpan<float> features,
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(featureNames);
        options ??= new DriftOptions();
        var rows = baskets.Count;
        var columns = featureNames.Count;
        if (features.Length != (long)rows * columns)
        {
            throw new ArgumentException($"The feature matrix holds {features.Length} values; {rows} baskets × {columns} features need {(long)rows * columns}.", nameof(features));
        }

        if (scores.Length != rows)
        {
            throw new ArgumentException($"{scores.Length} scores for {rows} baskets.", nameof(scores));
        }

        var profile = new ReferenceProfile { Rows = rows };
        var column = new double[rows];
        for (var c = 0; c < columns; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                column[r] = features[(r * columns) + c];
            }

            profile.Features.Add(NumericProfile.Build(featureNames[c], column, options.NumericBins));
        }

        scores.CopyTo(column);
        profile.Score = NumericProfile.Build(DriftReport.ScoreFeatureName, column, options.ScoreBins);
        double sum = 0;
        foreach (var s in scores)
        {
            sum += s;
        }

        profile.ExpectedFraudRate = rows == 0 ? 0 : sum / rows;
        profile.Inputs = InputProfile.Build(baskets, options);
        return profile;
    }
}
