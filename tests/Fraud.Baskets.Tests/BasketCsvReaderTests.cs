using Fraud.Testing;

namespace Fraud.Baskets.Tests;

public sealed class BasketCsvReaderTests
{
    private static readonly Slot MacBook = new("COMPUTERS", "889.0", "APPLE", "2020 APPLE MACBOOK AIR 13 3 RETINA DISPLAY M1 PROC", "239246776", "1.0");
    private static readonly Slot Delivery = new("FULFILMENT CHARGE", "7.0", "RETAILER", "NEXT DAY", "FULFILMENT", "1.0");

    private static List<Basket> Read(string csv, CsvReadOptions? options = null) =>
        [.. BasketCsv.ReadBaskets(new StringReader(csv), options)];

    private static BasketCsvException ReadFails(string csv) =>
        Assert.Throws<BasketCsvException>(() => Read(csv));

    [Fact]
    public void ReadsChallengeRowWithEmptySlotsAndNumbersWrittenWithDecimals()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("85517", "2.0", MacBook, Delivery));

        var basket = Assert.Single(Read(csv));

        Assert.Equal("85517", basket.Id);
        Assert.Equal(2, basket.Items.Count);
        Assert.Equal(new BasketItem("COMPUTERS", 889, "APPLE", "2020 APPLE MACBOOK AIR 13 3 RETINA DISPLAY M1 PROC", "239246776", 1), basket.Items[0]);
        Assert.Equal("FULFILMENTCHARGE", basket.Items[1].Item);
        Assert.Equal(896, basket.TotalAmount);
    }

    [Fact]
    public void NormalisesCategorySpellingsToOneKey()
    {
        var csv = ChallengeCsv.File(
            ChallengeCsv.Header(),
            ChallengeCsv.Row("1", "1", new Slot("TELEVISIONSHOME CINEMA", "499")),
            ChallengeCsv.Row("2", "1", new Slot("TELEVISIONS & HOME CINEMA", "499")),
            ChallengeCsv.Row("3", "1", new Slot("Televisions home cinema", "499")));

        var categories = Read(csv).Select(b => b.Items[0].Item).Distinct().ToList();

        Assert.Equal(["TELEVISIONSHOMECINEMA"], categories);
    }

    [Fact]
    public void KeepsCategorySpellingWhenNormalisationIsOff()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", new Slot("TELEVISIONS HOME CINEMA", "499")));

        var basket = Assert.Single(Read(csv, new CsvReadOptions { NormalizeCategories = false }));

        Assert.Equal("TELEVISIONS HOME CINEMA", basket.Items[0].Item);
    }

    [Fact]
    public void ReadsQuotedFieldsWithCommasDoubledQuotesAndLineBreaksAcrossCrlfLines()
    {
        var model = "\"SOFA, 3 SEATER \"\"BELLA\"\"\r\nGREY\"";
        var csv = string.Join("\r\n", ChallengeCsv.Header(), ChallengeCsv.Row("7", "1", new Slot("LIVING DINING FURNITURE", "899", "RETAILER", model)), ChallengeCsv.Row("8", "1", MacBook)) + "\r\n";

        var baskets = Read(csv);

        Assert.Equal(2, baskets.Count);
        Assert.Equal("SOFA, 3 SEATER \"BELLA\"\r\nGREY", baskets[0].Items[0].Model);
        Assert.Equal("8", baskets[1].Id);
    }

    [Fact]
    public void ReadsSlotsThatAreNotContiguous()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("9", "2", MacBook, Delivery with { Position = 5 }));

        var basket = Assert.Single(Read(csv));

        Assert.Equal(2, basket.Items.Count);
    }

    [Fact]
    public void RejectsTextInAPriceNamingLineAndColumn()
    {
        var csv = ChallengeCsv.File(
            ChallengeCsv.Header(),
            ChallengeCsv.Row("1", "1", MacBook),
            ChallengeCsv.Row("2", "2", MacBook, Delivery with { Price = "seven" }));

        var error = ReadFails(csv);

        Assert.Equal(3, error.Line);
        Assert.Equal("cash_price2", error.Column);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("cash_price2", error.Message, StringComparison.Ordinal);
        Assert.Contains("seven", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountsLinesInsideQuotedFieldsWhenNamingTheBadLine()
    {
        var csv = ChallengeCsv.File(
            ChallengeCsv.Header(),
            ChallengeCsv.Row("1", "1", MacBook with { Model = "\"TWO\nLINES\"" }),
            ChallengeCsv.Row("2", "1", MacBook with { Quantity = "0" }));

        var error = ReadFails(csv);

        Assert.Equal(4, error.Line);
        Assert.Equal("Nbr_of_prod_purchas1", error.Column);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("")]
    public void RejectsQuantityThatIsNotAWholeNumberOfAtLeastOne(string quantity)
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", MacBook with { Quantity = quantity }));

        Assert.Equal("Nbr_of_prod_purchas1", ReadFails(csv).Column);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("")]
    public void RejectsPriceThatIsNotAFiniteNonNegativeNumber(string price)
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", MacBook with { Price = price }));

        Assert.Equal("cash_price1", ReadFails(csv).Column);
    }

    [Fact]
    public void RejectsModelLongerThan256Characters()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", MacBook with { Model = new string('X', 257) }));

        var error = ReadFails(csv);

        Assert.Equal("model1", error.Column);
        Assert.Contains("256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsItemCountThatDisagreesWithTheSlots()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "3.0", MacBook, Delivery));

        Assert.Equal("Nb_of_items", ReadFails(csv).Column);
    }

    [Fact]
    public void AcceptsItemCountGivenAsTotalUnits()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "3", MacBook with { Quantity = "2" }, Delivery));

        Assert.Equal(2, Assert.Single(Read(csv)).Items.Count);
    }

    [Fact]
    public void RejectsRowWithoutAnyItem()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "0"));

        Assert.Equal("item1", ReadFails(csv).Column);
    }

    [Fact]
    public void RejectsSlotWithPriceButNoCategory()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", MacBook, new Slot(string.Empty, "12")));

        Assert.Equal("cash_price2", ReadFails(csv).Column);
    }

    [Fact]
    public void RejectsRowWithMissingId()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row(string.Empty, "1", MacBook));

        Assert.Equal("ID", ReadFails(csv).Column);
    }

    [Fact]
    public void RejectsRowWithTooFewFields()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), "1,COMPUTERS,889");

        var error = ReadFails(csv);

        Assert.Equal(2, error.Line);
        Assert.Contains("fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsHeaderWithoutAChallengeColumn()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header().Replace(",make7,", ",maker7,", StringComparison.Ordinal), ChallengeCsv.Row("1", "1", MacBook));

        var error = ReadFails(csv);

        Assert.Equal(1, error.Line);
        Assert.Equal("make7", error.Column);
    }

    [Fact]
    public void RejectsUnclosedQuoteNamingWhereItStarted()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", MacBook with { Model = "\"NEVER CLOSED" }));

        var error = ReadFails(csv);

        Assert.Equal(2, error.Line);
        Assert.Equal("model1", error.Column);
    }

    [Fact]
    public void RejectsEmptyFile()
    {
        Assert.Equal(1, ReadFails(string.Empty).Line);
    }

    [Fact]
    public void SkipsBadRowsAndCountsThemWhenAsked()
    {
        var csv = ChallengeCsv.File(
            ChallengeCsv.Header(),
            ChallengeCsv.Row("1", "1", MacBook),
            ChallengeCsv.Row("2", "1", MacBook with { Price = "abc" }),
            ChallengeCsv.Row("3", "1", MacBook with { Quantity = "0.5" }),
            ChallengeCsv.Row("4", "1", MacBook));
        var options = new CsvReadOptions { SkipBadRows = true };

        var ids = Read(csv, options).Select(b => b.Id).ToList();

        Assert.Equal(["1", "4"], ids);
        Assert.Equal(2, options.Stats.RowsRead);
        Assert.Equal(2, options.Stats.RowsSkipped);
        Assert.Contains("line 3", options.Stats.SkipExamples[0], StringComparison.Ordinal);
        Assert.Contains("cash_price1", options.Stats.SkipExamples[0], StringComparison.Ordinal);
    }

    [Fact]
    public void IgnoresALeadingUnnamedIndexColumnAndBlankLines()
    {
        var csv = ChallengeCsv.File(ChallengeCsv.Header(leading: string.Empty), ChallengeCsv.Row("0", "12", "1", null, MacBook), string.Empty, ChallengeCsv.Row("1", "13", "1", null, MacBook));

        Assert.Equal(["12", "13"], Read(csv).Select(b => b.Id));
    }

    [Fact]
    public void StreamsRowsWithoutReadingTheWholeInput()
    {
        using var endless = new EndlessCsvReader(ChallengeCsv.Header(), ChallengeCsv.Row("x", "1", MacBook));

        var first = BasketCsv.ReadBaskets(endless).Take(1000).ToList();

        Assert.Equal(1000, first.Count);
        Assert.Same(first[0].Items[0].Model, first[999].Items[0].Model);
    }

    [Fact]
    public void ReadsAFileFromDiskAndReportsAMissingOneClearly()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "X.csv");
        File.WriteAllText(path, ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("1", "1", MacBook)));

        Assert.Single(BasketCsv.ReadBaskets(path));
        var missing = Assert.Throws<FileNotFoundException>(() => BasketCsv.ReadBaskets(Path.Combine(folder.Path, "nope.csv")).ToList());
        Assert.Contains("nope.csv", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>A header followed by the same row forever: only a streaming reader can return from it.</summary>
    private sealed class EndlessCsvReader(string header, string row) : TextReader
    {
        private readonly string _row = row + "\n";
        private string _current = header + "\n";
        private int _position;

        public override int Read(char[] buffer, int index, int count)
        {
            var written = 0;
            while (written < count)
            {
                if (_position == _current.Length)
                {
                    _current = _row;
                    _position = 0;
                }

                var n = Math.Min(count - written, _current.Length - _position);
                _current.CopyTo(_position, buffer, index + written, n);
                _position += n;
                written += n;
            }

            return written;
        }
    }
}
