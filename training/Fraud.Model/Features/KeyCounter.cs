namespace Fraud.Model.Features;

/// <summary>Counts, per text value and fold, how many lines carried it and how many of those were in fraud baskets.</summary>
internal sealed class KeyCounter(int folds)
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<int> _counts = [];
    private readonly List<int> _frauds = [];

    public int Folds { get; } = folds;

    public void Add(ReadOnlySpan<char> key, int fold, bool fraud)
    {
        if (key.IsEmpty)
        {
            return;
        }

        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(key, out var id))
        {
            id = _ids.Count;
            _ids.Add(key.ToString().ToUpperInvariant(), id);
            for (var f = 0; f < Folds; f++)
            {
                _counts.Add(0);
                _frauds.Add(0);
            }
        }

        _counts[(id * Folds) + fold]++;
        _frauds[(id * Folds) + fold] += fraud ? 1 : 0;
    }

    /// <summary>
    /// The table that scoring uses (<paramref name="heldOutFold"/> = -1, every fold counted) or the one for the
    /// training rows of <paramref name="heldOutFold"/> (that fold's own labels left out, so no row sees its label).
    /// Keys are the values seen at least <paramref name="minCount"/> times overall; a key whose count without the
    /// held-out fold drops below the minimum gets the prior, exactly as an unseen value does at scoring time.
    /// </summary>
    public EncodingTable Build(string[] keys, Dictionary<string, int> index, int minCount, double smoothing, double prior, int heldOutFold)
    {
        var risk = new float[keys.Length];
        var logCount = new float[keys.Length];
        var scale = heldOutFold < 0 ? 1.0 : Folds / (Folds - 1.0);
        for (var k = 0; k < keys.Length; k++)
        {
            var id = _ids[keys[k]];
            var (count, frauds) = Totals(id, heldOutFold);
            if (count < minCount)
            {
                risk[k] = (float)prior;
                continue;
            }

            risk[k] = (float)((frauds + (smoothing * prior)) / (count + smoothing));
            logCount[k] = (float)Math.Log(1 + (count * scale));
        }

        return new EncodingTable(index, keys, risk, logCount, (float)prior);
    }

    /// <summary>Keys seen at least <paramref name="minCount"/> times, in a stable order (most frequent first, then ordinal).</summary>
    public string[] FrequentKeys(int minCount, int max = int.MaxValue) =>
        [.. _ids.Select(p => (p.Key, Count: Totals(p.Value, -1).Count))
            .Where(p => p.Count >= minCount)
            .OrderByDescending(p => p.Count)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(max)
            .Select(p => p.Key)];

    private (int Count, int Frauds) Totals(int id, int heldOutFold)
    {
        int count = 0, frauds = 0;
        for (var f = 0; f < Folds; f++)
        {
            if (f == heldOutFold)
            {
                continue;
            }

            count += _counts[(id * Folds) + f];
            frauds += _frauds[(id * Folds) + f];
        }

        return (count, frauds);
    }
}
