using System.Globalization;

namespace Fraud.Baskets;

/// <summary>
/// The one rounding rule for shares shown to people (fraud rates, flagged shares), in the CLI and in the HTML reports
/// alike. A rate is rounded as the decimal number it is written as, half away from zero: 317 frauds in 20,000 baskets
/// (0.01585) is 1.59 %, whether the rate arrives as that double (just below 0.01585 in binary, which .NET's "P2" printed
/// as 1.58 %) or through a float (just above, which the report printed as 1.59 %) (issue 19, item 14).
/// </summary>
public static class Percent
{
    /// <summary>"1.59 %" for 0.01585 with two decimals.</summary>
    public static string Format(double rate, int decimals = 2)
    {
        if (!double.IsFinite(rate))
        {
            return "–";
        }

        // decimal keeps 15 significant digits of the double: binary noise below them does not decide the rounding.
        var value = Math.Round((decimal)rate * 100m, decimals, MidpointRounding.AwayFromZero);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " %";
    }
}
