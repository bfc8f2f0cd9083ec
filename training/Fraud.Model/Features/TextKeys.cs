namespace Fraud.Model.Features;

/// <summary>
/// Span-based normalisation of the basket's text fields, so that scoring looks values up without
/// allocating a normalised copy. Fitting uses the same helpers (through <see cref="ToKey"/>), so the
/// keys stored in the model are exactly what scoring computes.
/// </summary>
internal static class TextKeys
{
    /// <summary>Longest key kept; longer values are cut (the contract caps fields at 256 characters anyway).</summary>
    public const int MaxKeyLength = 256;

    /// <summary>Category key: upper-case letters and digits only, as <c>Categories.Normalize</c> does.</summary>
    public static int NormalizeCategory(ReadOnlySpan<char> value, Span<char> destination)
    {
        var j = 0;
        foreach (var c in value)
        {
            if (char.IsLetterOrDigit(c) && j < destination.Length)
            {
                destination[j++] = char.ToUpperInvariant(c);
            }
        }

        return j;
    }

    /// <summary>Make, model and goods-code keys: surrounding white space dropped; lookups ignore case.</summary>
    public static ReadOnlySpan<char> Trim(string? value)
    {
        if (value is null)
        {
            return [];
        }

        var span = value.AsSpan().Trim();
        return span.Length > MaxKeyLength ? span[..MaxKeyLength] : span;
    }

    public static string ToKey(string? value) => Trim(value).ToString().ToUpperInvariant();

    public static string CategoryKey(string? value)
    {
        Span<char> buffer = stackalloc char[MaxKeyLength];
        var n = NormalizeCategory(value, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>
    /// The next token of a model name: a run of letters and digits of at least <paramref name="minLength"/>
    /// characters ("2020 APPLE MACBOOK AIR 13.3 256GB" gives 2020, APPLE, MACBOOK, AIR, 13, 256GB).
    /// </summary>
    public static bool NextToken(ReadOnlySpan<char> text, ref int position, int minLength, out ReadOnlySpan<char> token)
    {
        while (position < text.Length)
        {
            while (position < text.Length && !char.IsLetterOrDigit(text[position]))
            {
                position++;
            }

            var start = position;
            while (position < text.Length && char.IsLetterOrDigit(text[position]))
            {
                position++;
            }

            if (position - start >= minLength)
            {
                token = text[start..position];
                return true;
            }
        }

        token = default;
        return false;
    }

    public static bool Contains(ReadOnlySpan<char> normalizedCategory, string word) =>
        normalizedCategory.IndexOf(word, StringComparison.Ordinal) >= 0;
}
