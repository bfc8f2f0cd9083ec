using Fraud.Baskets;
using Fraud.Model;
using FraudFunctions.Scoring;

namespace FraudFunctions.Composition;

/// <summary>Scores with a loaded <see cref="FraudModel"/> (thread-safe, immutable).</summary>
public sealed class FraudModelScorer(FraudModel model) : IBasketScorer
{
    /// <summary>Reasons returned per basket: enough to explain a decision, few enough to read.</summary>
    public const int MaxReasons = 5;

    public BasketScore Score(Basket basket, bool explain)
    {
        var result = model.Score(basket, explain, MaxReasons);
        return new BasketScore(result.FraudProbability, result.Decision, result.Reasons);
    }

    /// <summary>The API's summary of a model card.</summary>
    public static ModelSummary Summarize(string modelName, string version, FraudModel model, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(card);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["pr_auc"] = card.Metrics.PrAuc,
            ["roc_auc"] = card.Metrics.RocAuc,
            ["log_loss"] = card.Metrics.LogLoss,
            ["brier"] = card.Metrics.Brier,
        };
        foreach (var threshold in card.Metrics.Thresholds)
        {
            metrics[$"{threshold.Name}_precision"] = threshold.Precision;
            metrics[$"{threshold.Name}_recall"] = threshold.Recall;
        }

        return new ModelSummary(
            modelName,
            version,
            card.TrainedAt,
            // Baskets the model was trained on, as `fraud registry show` counts them (all splits); the card's own
            // TrainingRows is only the part no member validated on (issue 19, item 3).
            card.Rows,
            card.FraudRate,
            metrics,
            model.Thresholds.Review,
            model.Thresholds.Decline,
            model.FeatureCount,
            card.Lineage.ParentVersion,
            card.Lineage.RunId,
            card.TestRows,
            $"metrics: this version's own test split ({card.TestRows} of the {card.Rows} baskets, never trained on); not comparable with another version's");
    }
}
