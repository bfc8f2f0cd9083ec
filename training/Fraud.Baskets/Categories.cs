namespace Fraud.Baskets;

/// <summary>
/// Category spellings vary between retailers and exports ("TELEVISIONS &amp; HOME CINEMA",
/// "TELEVISIONSHOME CINEMA", "Televisions home cinema"). The normalised key keeps only upper-case
/// letters and digits so that all of those meet in one value.
/// </summary>
public static class Categories
{
    /// <summary>Upper-case letters and digits of <paramref name="category"/>, everything else dropped.</summary>
    public static string Normalize(string? category)
    {
        if (string.IsNullOrEmpty(category))
        {
            return string.Empty;
        }

        var clean = true;
        foreach (var c in category)
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return category;
        }

        return string.Create(CountKept(category), category, static (span, source) =>
        {
            var j = 0;
            foreach (var c in source)
            {
                if (char.IsLetterOrDigit(c))
                {
                    span[j++] = char.ToUpperInvariant(c);
                }
            }
        });
    }

    private static int CountKept(string s)
    {
        var n = 0;
        foreach (var c in s)
        {
            if (char.IsLetterOrDigit(c))
            {
                n++;
            }
        }

        return n;
    }
}
