namespace Fraud.Baskets.Tests;

public sealed class BasketCsvWriterTests
{
    private static List<Basket> Generated(int rows, int seed = 3) =>
        [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = seed }).Select(g => g.Basket)];

    private static string Write(IEnumerable<Basket> baskets)
    {
        var text = new StringWriter();
        BasketCsv.WriteBaskets(text, baskets);
        return text.ToString();
    }

    [Fact]
    public void WritesTheChallengeHeaderWith146Columns()
    {
        var header = Write([]).TrimEnd('\n');

        Assert.Equal(ChallengeCsv.Header(), header);
        Assert.Equal(146, header.Split(',').Length);
    }

    [Fact]
    public void WrittenBasketsReadBackEqual()
    {
        var baskets = Generated(3000);

        var read = BasketCsv.ReadBaskets(new StringReader(Write(baskets)), new CsvReadOptions { NormalizeCategories = false }).ToList();

        Assert.Equal(baskets, read);
    }

    [Fact]
    public void WrittenBasketsReadBackWithNormalisedCategoriesByDefault()
    {
        var baskets = Generated(500);
        var expected = baskets.Select(b => b with { Items = [.. b.Items.Select(i => i with { Item = Categories.Normalize(i.Item) })] }).ToList();

        Assert.Equal(expected, BasketCsv.ReadBaskets(new StringReader(Write(baskets))));
    }

    [Fact]
    public void QuotesFieldsWithCommasQuotesLineBreaksAndEdgeSpacesSoTheyReadBack()
    {
        var basket = new Basket("id,1", [
            new BasketItem("SOFAS", 0.1, "MAKE \"X\"", "LINE\nBREAK, AND COMMA", " padded ", 2),
            new BasketItem("CABLES", 1e-7, string.Empty, string.Empty, string.Empty, 1),
            new BasketItem("TV", 123456789.25, "M", "M", "C", 8),
        ]);

        var text = Write([basket]);
        var read = Assert.Single(BasketCsv.ReadBaskets(new StringReader(text), new CsvReadOptions { NormalizeCategories = false }));

        Assert.Equal(basket, read);
        Assert.Contains("\"MAKE \"\"X\"\"\"", text, StringComparison.Ordinal);
        Assert.Contains(",0.1,1E-07,123456789.25,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WritesACombinedFileWhoseLastColumnIsTheFraudFlag()
    {
        var baskets = Generated(50);
        var text = new StringWriter();
        BasketCsv.WriteLabelledBaskets(text, baskets.Select((b, i) => new LabelledBasket(b, i % 7 == 0)));
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text.ToString());

            var data = BasketCsv.ReadLabelled(path, labelsPath: null, new CsvReadOptions { NormalizeCategories = false });

            Assert.Equal(baskets, data.Baskets);
            Assert.Equal(baskets.Select((_, i) => i % 7 == 0), data.Labels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RefusesToWriteABasketThatDoesNotFitTheLayout()
    {
        var tooMany = new Basket("x", [.. Enumerable.Repeat(new BasketItem("A", 1, "", "", "", 1), 25)]);

        Assert.Throws<ArgumentException>(() => Write([tooMany]));
    }
}
