using System.Text.Json.Serialization;

namespace Fraud.Baskets;

/// <summary>
/// Source-generated System.Text.Json metadata for the basket contract (camelCase: <c>id</c>, <c>items[]</c> of
/// <c>item, cashPrice, make, model, goodsCode, quantity</c>). No reflection at run time: faster cold start
/// and trimming-safe. Use <c>BasketJsonContext.Default.Basket</c> and friends.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Basket))]
[JsonSerializable(typeof(BasketItem))]
[JsonSerializable(typeof(List<Basket>))]
[JsonSerializable(typeof(Basket[]))]
[JsonSerializable(typeof(IReadOnlyList<Basket>))]
public sealed partial class BasketJsonContext : JsonSerializerContext;
