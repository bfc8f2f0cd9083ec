using Fraud.Testing;

namespace Fraud.Baskets.Tests;

public sealed class BasketLabelsTests
{
    private static readonly Slot Phone = new("TELEPHONES", "1199", "APPLE", "APPLE IPHONE 15 PRO MAX 256GB", "238813220", "1");

    [Fact]
    public void ReadsLabelsWithALeadingUnnamedIndexColumn()
    {
        var labels = BasketCsv.ReadLabels(new StringReader(",ID,fraud_flag\n0,85517,0\n1,51113,1\n2,83008,0.0\n"));

        Assert.Equal(3, labels.Count);
        Assert.True(labels["51113"]);
        Assert.False(labels["83008"]);
    }

    [Fact]
    public void RejectsAFraudFlagThatIsNotZeroOrOne()
    {
        var error = Assert.Throws<BasketCsvException>(() => BasketCsv.ReadLabels(new StringReader("ID,fraud_flag\n1,0\n2,yes\n")));

        Assert.Equal(3, error.Line);
        Assert.Equal("fraud_flag", error.Column);
    }

    [Fact]
    public void RejectsABasketLabelledBothWays()
    {
        var error = Assert.Throws<BasketCsvException>(() => BasketCsv.ReadLabels(new StringReader("ID,fraud_flag\n1,0\n1,1\n")));

        Assert.Contains("both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JoinsFeaturesAndLabelsOnIdAndReportsWhatDoesNotJoin()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("X.csv"), ChallengeCsv.File(
            ChallengeCsv.Header(),
            ChallengeCsv.Row("a", "1", Phone),
            ChallengeCsv.Row("b", "1", Phone),
            ChallengeCsv.Row("c", "1", Phone),
            ChallengeCsv.Row("a", "1", Phone)));
        File.WriteAllText(folder.File("Y.csv"), "ID,fraud_flag\nc,1\na,0\nz,1\ny,0\n");

        var data = BasketCsv.ReadLabelled(folder.File("X.csv"), folder.File("Y.csv"));

        Assert.Equal(["a", "c"], data.Baskets.Select(b => b.Id));
        Assert.Equal([false, true], data.Labels);
        Assert.Equal(2, data.Join.Matched);
        Assert.Equal(1, data.Join.FeaturesWithoutLabel);
        Assert.Equal(["b"], data.Join.FeaturesWithoutLabelExamples);
        Assert.Equal(2, data.Join.LabelsWithoutFeatures);
        Assert.Equal(["y", "z"], data.Join.LabelsWithoutFeaturesExamples.Order());
        Assert.Equal(1, data.Join.DuplicateIds);
        Assert.False(data.Join.IsComplete);
        Assert.Contains("1 without a label (e.g. b)", data.Join.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TakesLabelsFromALastFraudFlagColumn()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("train.csv"), ChallengeCsv.File(
            ChallengeCsv.Header(withFlag: true),
            ChallengeCsv.Row(null, "a", "1", "1", Phone),
            ChallengeCsv.Row(null, "b", "1", "0.0", Phone)));

        var data = BasketCsv.ReadLabelled(folder.File("train.csv"), labelsPath: null);

        Assert.Equal([true, false], data.Labels);
        Assert.True(data.Join.IsComplete);
        Assert.Equal(0.5, data.FraudRate);
    }

    [Fact]
    public void RefusesFeaturesWithoutAnyLabels()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("X.csv"), ChallengeCsv.File(ChallengeCsv.Header(), ChallengeCsv.Row("a", "1", Phone)));

        var error = Assert.Throws<BasketCsvException>(() => BasketCsv.ReadLabelled(folder.File("X.csv"), labelsPath: null));

        Assert.Equal("fraud_flag", error.Column);
    }

    [Fact]
    public void WritesLabelsThatReadBack()
    {
        var text = new StringWriter();
        BasketCsv.WriteLabels(text, [("a", true), ("b,c", false)]);

        var labels = BasketCsv.ReadLabels(new StringReader(text.ToString()));

        Assert.StartsWith("ID,fraud_flag\n", text.ToString(), StringComparison.Ordinal);
        Assert.True(labels["a"]);
        Assert.False(labels["b,c"]);
    }
}
