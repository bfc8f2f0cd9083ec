using Fraud.Baskets;
using Fraud.Model;

namespace Fraud.Monitoring.Tests;

internal static class TestData
{
    public static Basket Basket(string id, double price = 120.5) =>
        new(id, [new BasketItem("COMPUTERS", price, "APPLE", "MACBOOK AIR", "239001", 1), new BasketItem("WARRANTY", 30, "", "", "", 2)]);

    public static PredictionRecord Record(string id, DateTimeOffset at, double probability = 0.02) =>
        new(Basket(id), probability, probability >= 0.5 ? Decision.Decline : Decision.Approve, "3", at, "http");
}
