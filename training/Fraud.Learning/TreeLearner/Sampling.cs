namespace Fraud.Learning;

/// <summary>
/// Per-tree row bagging and feature sub-sampling (Friedman, 2002, stochastic gradient boosting; LightGBM's
/// bagging_fraction and feature_fraction). Each round draws from its own seeded stream, so a round's sample does not
/// depend on how many random numbers earlier rounds used.
/// </summary>
internal sealed class Sampling
{
    private const int BaggingStream = 1;
    private const int FeatureStream = 2;

    private readonly GbdtOptions _options;
    private readonly int[] _candidates;
    private readonly int[] _shuffle;

    public Sampling(GbdtOptions options, BinnedMatrix data)
    {
        _options = options;
        // Constant features (one bin, never missing) can never split; leaving them out keeps the sampled fraction meaningful.
        var candidates = new List<int>(data.Features);
        for (var f = 0; f < data.Features; f++)
        {
            if (data.BinCounts[f] >= 2 || data.HasMissing[f])
            {
                candidates.Add(f);
            }
        }

        _candidates = [.. candidates];
        _shuffle = new int[_candidates.Length];
        Bag = options.BaggingFraction < 1 ? new int[data.Rows] : null;
        Features = new int[_candidates.Length];
    }

    /// <summary>Rows of the current tree in ascending order, or null when every row is used.</summary>
    public int[]? Bag { get; }

    public int BagCount { get; private set; }

    /// <summary>Features of the current tree in ascending order.</summary>
    public int[] Features { get; }

    public int FeatureCount { get; private set; }

    public void Draw(int round)
    {
        if (Bag is not null)
        {
            var rng = new SplitMix64(_options.Seed, BaggingStream, round);
            var count = 0;
            for (var row = 0; row < Bag.Length; row++)
            {
                if (rng.NextDouble() < _options.BaggingFraction)
                {
                    Bag[count++] = row;
                }
            }

            BagCount = count;
        }

        var total = _candidates.Length;
        var take = _options.FeatureFraction >= 1 ? total : Math.Max(1, (int)Math.Round(total * _options.FeatureFraction));
        if (take >= total)
        {
            _candidates.CopyTo(Features, 0);
            FeatureCount = total;
            return;
        }

        // Partial Fisher–Yates: the first `take` slots become a uniform sample without replacement.
        _candidates.CopyTo(_shuffle, 0);
        var random = new SplitMix64(_options.Seed, FeatureStream, round);
        for (var i = 0; i < take; i++)
        {
            var j = i + random.NextInt(total - i);
            (_shuffle[i], _shuffle[j]) = (_shuffle[j], _shuffle[i]);
        }

        _shuffle.AsSpan(0, take).CopyTo(Features);
        Features.AsSpan(0, take).Sort();
        FeatureCount = take;
    }
}
