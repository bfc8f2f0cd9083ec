using Fraud.Baskets;

namespace Fraud.Baskets.Tests;

public sealed class JoinReportTextTests
{
    [Fact]
    public void AnEmptyExampleIdIsNamedInsteadOfLeavingAnEmptyParenthesis()
    {
        // What `data stats --skip-bad-rows` printed when a skipped row left a label with an empty id behind.
        var text = new JoinReport(10, 0, [], 1, [""], 0).ToString();

        Assert.DoesNotContain("e.g. )", text, StringComparison.Ordinal);
        Assert.Contains("1 labels without a basket (e.g. an empty id)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NoExamplesMeansNoParenthesis()
    {
        var text = new JoinReport(10, 2, [], 0, [], 0).ToString();

        Assert.Contains("2 without a label", text, StringComparison.Ordinal);
        Assert.DoesNotContain("e.g.", text, StringComparison.Ordinal);
    }
}
