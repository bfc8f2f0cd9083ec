namespace Fraud.Model.Features;

/// <summary>
/// A fitted lookup from a text value (model name, goods code, token, category, make) to its smoothed fraud
/// rate and how often it was seen in training. Values not in the table get the pooled prior and a count of 0,
/// which is also what a value seen fewer than the minimum number of times gets, so rare and unseen values
/// look alike to the trees.
/// </summary>
internal sealed class EncodingTable
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public EncodingTable(Dictionary<string, int> index, string[] keys, float[] risk, float[] logCount, float prior)
    {
        Index = index;
        Keys = keys;
        Risk = risk;
        LogCount = logCount;
        Prior = prior;
        _lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Dictionary<string, int> Index { get; }

    public string[] Keys { get; }

    public float[] Risk { get; }

    /// <summary>log(1 + times seen in training).</summary>
    public float[] LogCount { get; }

    public float Prior { get; }

    public static Dictionary<string, int> BuildIndex(string[] keys)
    {
        var index = new Dictionary<string, int>(keys.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < keys.Length; i++)
        {
            if (!index.TryAdd(keys[i], i))
            {
                throw new ModelFormatException($"The encoding table holds the key '{keys[i]}' twice.");
            }
        }

        return index;
    }

    public float RiskOf(ReadOnlySpan<char> key, out float logCount)
    {
        if (!key.IsEmpty && _lookup.TryGetValue(key, out var i))
        {
            logCount = LogCount[i];
            return Risk[i];
        }

        logCount = 0;
        return Prior;
    }

    public EncodingTableDto ToDto() => new() { Keys = Keys, Risk = Risk, LogCount = LogCount, Prior = Prior };

    public static EncodingTable FromDto(EncodingTableDto dto, string name)
    {
        if (dto.Keys is null || dto.Risk is null || dto.LogCount is null)
        {
            throw new ModelFormatException($"The '{name}' encoding table is incomplete.");
        }

        if (dto.Risk.Length != dto.Keys.Length || dto.LogCount.Length != dto.Keys.Length)
        {
            throw new ModelFormatException($"The '{name}' encoding table has {dto.Keys.Length} keys but {dto.Risk.Length} risks and {dto.LogCount.Length} counts.");
        }

        if (!float.IsFinite(dto.Prior) || dto.Prior < 0 || dto.Prior > 1)
        {
            throw new ModelFormatException($"The '{name}' encoding table's prior {dto.Prior} is not a probability.");
        }

        return new EncodingTable(BuildIndex(dto.Keys), dto.Keys, dto.Risk, dto.LogCount, dto.Prior);
    }
}

/// <summary>JSON form of a fitted encoding table.</summary>
public sealed class EncodingTableDto
{
    public string[] Keys { get; set; } = [];

    public float[] Risk { get; set; } = [];

    public float[] LogCount { get; set; } = [];

    public float Prior { get; set; }
}
