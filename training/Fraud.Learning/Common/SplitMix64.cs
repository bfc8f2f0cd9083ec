namespace Fraud.Learning;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood, 2014): a tiny generator whose output is fixed by its seed on every runtime,
/// unlike <see cref="Random"/> whose algorithm is an implementation detail.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(int seed, int stream, int round)
    {
        _state = ((ulong)(uint)seed << 32) ^ ((ulong)(uint)stream * 0x9E3779B97F4A7C15UL) ^ (uint)round;
        _ = Next();
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n); the modulo bias is below 2^-31 for the sizes used here.</summary>
    public int NextInt(int n) => (int)((Next() >> 1) % (ulong)n);
}
