namespace Fraud.Baskets;

/// <summary>A basket line while it is being assembled: the catalogue product, its drawn price and quantity.</summary>
internal struct BasketLine
{
    public Product Product;
    public double Price;
    public int Quantity;
    public string Category;
}
