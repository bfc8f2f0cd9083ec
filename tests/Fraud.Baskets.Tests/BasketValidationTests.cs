namespace Fraud.Baskets.Tests;

public sealed class BasketValidationTests
{
    private static readonly BasketItem Tv = new("TELEVISIONS HOME CINEMA", 499, "LG", "OLED C3 55", "238000001", 1);

    [Fact]
    public void AcceptsAValidBasketWithoutErrors()
    {
        var basket = new Basket("b1", [Tv]);

        Assert.Empty(BasketValidation.Validate(basket));
        Assert.True(BasketValidation.IsValid(basket));
    }

    [Fact]
    public void RejectsBasketWithMoreThan24Items()
    {
        var basket = new Basket("b1", [.. Enumerable.Repeat(Tv, 25)]);

        Assert.Contains(BasketValidation.Validate(basket), e => e.Field == "items");
        Assert.False(BasketValidation.IsValid(basket));
    }

    [Fact]
    public void NamesEveryBrokenFieldByItsJsonPath()
    {
        var basket = new Basket(" ", [Tv, Tv with { CashPrice = double.NaN, Quantity = 0, Model = new string('m', 300) }]);

        var fields = BasketValidation.Validate(basket).Select(e => e.Field).ToList();

        Assert.Equal(["id", "items[1].model", "items[1].cashPrice", "items[1].quantity"], fields);
    }

    [Fact]
    public void BasketsWithEqualContentAreEqualWhateverListHoldsTheItems()
    {
        var a = new Basket("x", [Tv]);
        var b = new Basket("x", new List<BasketItem> { Tv with { } });

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Id = "y" });
        Assert.NotEqual(a, new Basket("x", [Tv with { Quantity = 2 }]));
    }
}
