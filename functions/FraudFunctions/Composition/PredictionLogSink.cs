using Fraud.Baskets;
using Fraud.Monitoring;
using Fraud.Monitoring.Telemetry;
using FraudFunctions.Scoring;

namespace FraudFunctions.Composition;

/// <summary>Hands every scored basket to the buffered prediction log (never blocks) and counts it in the metrics.</summary>
public sealed class PredictionLogSink(IPredictionLog log, FraudMetrics metrics, TimeProvider time) : IPredictionSink
{
    public void Record(Basket basket, in BasketScore score, string modelVersion, string source)
    {
        log.TryWrite(new PredictionRecord(basket, score.FraudProbability, score.Decision, modelVersion, time.GetUtcNow(), source));
        metrics.RecordScore(DecisionNames.Of(score.Decision), score.FraudProbability, basket.TotalAmount);
    }
}
