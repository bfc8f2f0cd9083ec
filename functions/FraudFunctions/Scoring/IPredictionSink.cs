using Fraud.Baskets;

namespace FraudFunctions.Scoring;

/// <summary>
/// Where every scored basket goes for monitoring and retraining. Implementations must never block the request:
/// they queue and drop (counting drops) when full.
/// </summary>
public interface IPredictionSink
{
    void Record(Basket basket, in BasketScore score, string modelVersion, string source);
}
