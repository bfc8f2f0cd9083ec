using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Baskets;
using Fraud.Learning;

namespace Fraud.Model.Drift;

/// <summary>
/// What the training data looked like, kept in the model card so that later traffic can be compared with it:
/// quantile bins and a CDF grid per numeric feature, top-K shares of item categories and makes, and the score
/// distribution. Plain properties and arrays only, so it serialises with System.Text.Json as part of the card.
/// </summary>
public sealed class ReferenceProfile
{
    /// <summary>Version of this layout; a reader rejects a profile it does not understand.</summary>
    public int SchemaVersion { get; set; } = 2;

    /// <summary>Baskets the profile was built from.</summary>
    public int Rows { get; set; }

    /// <summary>Mean score of the reference baskets: the fraud rate a calibrated model expects on the same population.</summary>
    public double ExpectedFraudRate { get; set; }

    /// <summary>One entry per model feature, in the featurizer's column order.</summary>
    public List<NumericProfile> Features { get; set; } = [];

    /// <summary>
    /// Item-level categorical distributions (item category, make) of version-1 profiles; newer profiles keep them
    /// in <see cref="Inputs"/>.
    /// </summary>
    public List<CategoricalProfile> Categories { get; set; } = [];

    /// <summary>Basket-level input signals dataset drift is judged on; null in cards written before they existed.</summary>
    public InputProfile? Inputs { get; set; }

    /// <summary>
    /// Members whose features the profile holds: reference row i was featurized (and scored) by the member that did
    /// not learn from it, and a drift check featurizes current basket r with member r mod <see cref="MemberCount"/>, so
    /// both sides mix the members' encodings in the same proportions. 1 in profiles of the first member only.
    /// </summary>
    public int MemberCount { get; set; } = 1;

    private List<Basket>? _sample;
    private string? _sampleData;

    /// <summary>
    /// An evenly spaced sample of the reference baskets (ids dropped) for the classifier two-sample test, which needs
    /// rows rather than histograms; the check featurizes them with the member given in <see cref="SampleMembers"/>.
    /// Empty in older cards (the test is then skipped with a warning). Stored as <see cref="SampleData"/>.
    /// </summary>
    [JsonIgnore]
    public List<Basket> Sample
    {
        get => _sample ??= DecodeSample(_sampleData);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _sample = value;
            _sampleData = EncodeSample(value);
        }
    }

    /// <summary>
    /// <see cref="Sample"/> as gzip-compressed basket JSON in base64: 6,000 baskets take about 0.26 MB this way instead
    /// of 4.5 MB of indented card JSON. Null in older cards.
    /// </summary>
    public string? SampleData
    {
        get => _sampleData;
        set
        {
            _sampleData = value;
            _sample = null;
        }
    }

    /// <summary>The member that featurizes each basket of <see cref="Sample"/> (the one that did not learn from it).</summary>
    public int[] SampleMembers { get; set; } = [];

    /// <summary>Distribution of the model's fraud probability on the reference baskets.</summary>
    public NumericProfile Score { get; set; } = new();

    /// <summary>Builds the profile from the training baskets, their feature matrix and the model's scores on them.</summary>
    public static ReferenceProfile Build(
        IReadOnlyList<Basket> baskets,
        FeatureMatrix features,
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null,
        IReadOnlyList<int>? members = null,
        int memberCount = 1)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Build(baskets, features.Values, featureNames, scores, options, members, memberCount);
    }

    /// <summary>
    /// Builds the profile from the training baskets, their feature matrix (row-major, <paramref name="featureNames"/>.Count
    /// columns, NaN = missing) and the model's scores on them.
    /// </summary>
    public static ReferenceProfile Build(
        IReadOnlyList<Basket> baskets,
        ReadOnlySpan<float> features,
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null,
        IReadOnlyList<int>? members = null,
        int memberCount = 1)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(featureNames);
        var rows = baskets.Count;
        var columns = featureNames.Count;
        if (features.Length != (long)rows * columns)
        {
            throw new ArgumentException($"The feature matrix holds {features.Length} values; {rows} baskets × {columns} features need {(long)rows * columns}.", nameof(features));
        }

        var (profile, column) = Start(baskets, featureNames, scores, ref options, members, memberCount);
        for (var c = 0; c < columns; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                column[r] = features[(r * columns) + c];
            }

            profile.Features.Add(NumericProfile.Build(featureNames[c], column, options.NumericBins));
        }

        return Finish(profile, baskets, column, scores, options, members);
    }

    /// <summary>
    /// Builds the profile like <see cref="Build(IReadOnlyList{Basket}, ReadOnlySpan{float}, IReadOnlyList{string}, ReadOnlySpan{double}, DriftOptions?, IReadOnlyList{int}?, int)"/>,
    /// with the same result, from features that need not sit in one matrix: <paramref name="fillColumn"/>(c, column)
    /// writes feature c of every basket, in basket order, into column. The trainer profiles its members' held-out
    /// matrices where they are this way instead of copying them into one more matrix (at 1,000,000 rows that copy was
    /// 520 MB).
    /// </summary>
    public static ReferenceProfile Build(
        IReadOnlyList<Basket> baskets,
        Action<int, double[]> fillColumn,
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scores,
        DriftOptions? options = null,
        IReadOnlyList<int>? members = null,
        int memberCount = 1)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(fillColumn);
        ArgumentNullException.ThrowIfNull(featureNames);
        var (profile, column) = Start(baskets, featureNames, scores, ref options, members, memberCount);
        for (var c = 0; c < featureNames.Count; c++)
        {
            fillColumn(c, column);
            profile.Features.Add(NumericProfile.Build(featureNames[c], column, options.NumericBins));
        }

        return Finish(profile, baskets, column, scores, options, members);
    }

    private static (ReferenceProfile Profile, double[] Column) Start(
        IReadOnlyList<Basket> baskets,
        IReadOnlyList<string> featureNames,
        ReadOnlySpan<double> scores,
        [System.Diagnostics.CodeAnalysis.NotNull] ref DriftOptions? options,
        IReadOnlyList<int>? members,
        int memberCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memberCount, 1);
        options ??= new DriftOptions();
        var rows = baskets.Count;
        if (scores.Length != rows)
        {
            throw new ArgumentException($"{scores.Length} scores for {rows} baskets.", nameof(scores));
        }

        if (members is not null && members.Count != rows)
        {
            throw new ArgumentException($"{members.Count} member indexes for {rows} baskets.", nameof(members));
        }

        return (new ReferenceProfile { Rows = rows, MemberCount = memberCount }, new double[rows]);
    }

    private static ReferenceProfile Finish(ReferenceProfile profile, IReadOnlyList<Basket> baskets, double[] column, ReadOnlySpan<double> scores, DriftOptions options, IReadOnlyList<int>? members)
    {
        var rows = baskets.Count;
        scores.CopyTo(column);
        profile.Score = NumericProfile.Build(DriftReport.ScoreFeatureName, column, options.ScoreBins);
        double sum = 0;
        foreach (var s in scores)
        {
            sum += s;
        }

        profile.ExpectedFraudRate = rows == 0 ? 0 : sum / rows;
        profile.Inputs = InputProfile.Build(baskets, options);
        var sampled = Math.Min(rows, options.ReferenceSampleRows);
        var sample = new List<Basket>(sampled);
        profile.SampleMembers = new int[sampled];
        for (var k = 0; k < sampled; k++)
        {
            var r = (int)((long)k * rows / sampled);
            sample.Add(baskets[r] with { Id = string.Empty });
            profile.SampleMembers[k] = members?[r] ?? 0;
        }

        profile.Sample = sample;
        return profile;
    }

    private static string? EncodeSample(List<Basket> sample)
    {
        if (sample.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, sample, BasketJsonContext.Default.ListBasket);
        }

        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static List<Basket> DecodeSample(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            return [];
        }

        try
        {
            using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(data)), CompressionMode.Decompress);
            return JsonSerializer.Deserialize(gzip, BasketJsonContext.Default.ListBasket) ?? [];
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or JsonException)
        {
            throw new InvalidDataException("The drift reference sample in the model card is corrupt: " + ex.Message, ex);
        }
    }
}
