using Fraud.Baskets;
using Fraud.Model;

namespace Fraud.Monitoring;

/// <summary>
/// One scored basket as kept in the prediction log: the basket itself (so drift checks and retraining can
/// re-featurize it, and labels can join on its id), the probability and decision, the model version and when.
/// </summary>
/// <param name="Basket">The basket as scored.</param>
/// <param name="FraudProbability">Calibrated fraud probability.</param>
/// <param name="Decision">Decision taken at the model's thresholds.</param>
/// <param name="ModelVersion">Registry version of the model that scored it.</param>
/// <param name="ScoredAt">When it was scored (UTC); it decides the hour partition.</param>
/// <param name="Source">Where the request came from: <c>http</c>, <c>batch</c>, <c>queue</c>.</param>
public sealed record PredictionRecord(Basket Basket, double FraudProbability, Decision Decision, string ModelVersion, DateTimeOffset ScoredAt, string Source);

/// <summary>Keeps scored baskets off the request path.</summary>
public interface IPredictionLog
{
    /// <summary>
    /// Queues one record and returns at once. Never blocks: when the buffer is full the record is dropped,
    /// counted in <c>fraud.prediction_log.dropped</c>, and false is returned.
    /// </summary>
    bool TryWrite(PredictionRecord record);
}
