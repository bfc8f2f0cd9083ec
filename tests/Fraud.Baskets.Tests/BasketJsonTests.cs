using System.Text.Json;

namespace Fraud.Baskets.Tests;

public sealed class BasketJsonTests
{
    [Fact]
    public void SerialisesTheApiContractInCamelCaseWithoutComputedTotals()
    {
        var basket = new Basket("85517", [new BasketItem("COMPUTERS", 889, "APPLE", "MACBOOK AIR", "239246776", 1)]);

        var json = JsonSerializer.Serialize(basket, BasketJsonContext.Default.Basket);

        Assert.Equal(
            """{"id":"85517","items":[{"item":"COMPUTERS","cashPrice":889,"make":"APPLE","model":"MACBOOK AIR","goodsCode":"239246776","quantity":1}]}""",
            json);
    }

    [Fact]
    public void ReadsAListOfBasketsBackEqual()
    {
        var baskets = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 200, Seed = 5 }).Select(g => g.Basket).ToList();

        var json = JsonSerializer.Serialize(baskets, BasketJsonContext.Default.ListBasket);
        var read = JsonSerializer.Deserialize(json, BasketJsonContext.Default.BasketArray);

        Assert.Equal(baskets, read);
    }

    [Fact]
    public void MissingItemsDeserialiseToABasketThatValidationRejectsByFieldName()
    {
        var basket = JsonSerializer.Deserialize("""{"id":"a"}""", BasketJsonContext.Default.Basket);

        var error = Assert.Single(BasketValidation.Validate(basket));

        Assert.Equal("items", error.Field);
    }

    [Fact]
    public void RejectsAFractionalQuantityAsMalformedJson()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(
            """{"id":"a","items":[{"item":"TV","cashPrice":1,"make":"","model":"","goodsCode":"","quantity":1.5}]}""",
            BasketJsonContext.Default.Basket));
    }
}
