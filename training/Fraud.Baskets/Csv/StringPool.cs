namespace Fraud.Baskets;

/// <summary>
/// Interns the few thousand distinct makes, models, goods codes and categories of a basket file so that
/// a million rows share their strings instead of allocating one per cell. Bounded: past
/// <c>capacity</c> distinct values new ones are allocated but no longer remembered.
/// </summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Func<string, string>? _transform;
    private readonly int _capacity;

    public StringPool(int capacity = 16384, Func<string, string>? transform = null)
    {
        _capacity = capacity;
        _transform = transform;
        _lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The pooled string for <paramref name="text"/>, passed through the transform when it is first seen.</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return _transform is null ? string.Empty : _transform(string.Empty);
        }

        if (_lookup.TryGetValue(text, out var value))
        {
            return value;
        }

        var key = text.ToString();
        value = _transform is null ? key : _transform(key);
        if (_values.Count < _capacity)
        {
            _values[key] = value;
        }

        return value;
    }
}
