using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Model.Artifact;
using Fraud.Model.Explanations;
using Fraud.Model.Features;

namespace Fraud.Model;

/// <summary>
/// A trained fraud model ready to score: one or more members (a fitted featurizer and the tree ensemble trained on
/// its features), calibration and thresholds. The raw score is the mean of the members' log-odds; every member
/// writes the same feature layout (shared vocabularies), so explanations are the mean of the members' TreeSHAP
/// values, feature by feature. Immutable and thread-safe. Scoring reuses per-thread buffers, so a probability costs
/// no allocation and a scored basket allocates only its result.
/// </summary>
public sealed class FraudModel
{
    /// <summary>Version of the model file layout this build writes (version 1, a single featurizer and trees, is still read).</summary>
    public const int CurrentSchemaVersion = 2;

    private const int SingleMemberSchemaVersion = 1;

    // Keeps a calibrated 0 or 1 (an isotonic end step) from claiming certainty.
    private const double MinProbability = 1e-6;

    [ThreadStatic]
    private static float[]? _threadFeatures;

    [ThreadStatic]
    private static double[]? _threadContributions;

    [ThreadStatic]
    private static double[]? _threadGroups;

    [ThreadStatic]
    private static double[]? _threadMemberContributions;

    [ThreadStatic]
    private static LineFacts[]? _threadLines;

    private readonly ModelMember[] _members;
    private readonly JointFeaturizer _joint;
    private readonly BasketFeaturizer _featurizer;
    private readonly ICalibrator _calibration;
    private readonly CalibratorDto _calibrationDto;

    // Built on the first explanation (a scoring-only process never pays for it); null when a tree does not fit the
    // one-pass tables, and the members are then explained one by one.
    private readonly Lazy<EnsembleShap?> _shap;

    // Every member's trees in one flat layout for plain scores (built with the model: about 190 bytes per tree); null
    // when a tree has more splits than a split word holds, and the members' trees are then walked one by one.
    private readonly SplitWordEnsemble? _flat;

    private FraudModel(string modelId, DateTimeOffset createdAt, IReadOnlyList<ModelMember> members, ICalibrator calibration, ModelThresholds thresholds)
    {
        if (members.Count == 0)
        {
            throw new ModelFormatException("The model has no members (featurizer and trees).");
        }

        var names = members[0].Featurizer.FeatureNames;
        for (var m = 0; m < members.Count; m++)
        {
            var (featurizer, trees) = (members[m].Featurizer, members[m].Trees);
            if (trees.FeatureCount != featurizer.FeatureCount)
            {
                throw new ModelFormatException($"Member {m + 1}'s trees expect {trees.FeatureCount} features but its featurizer writes {featurizer.FeatureCount}.");
            }

            if (!featurizer.FeatureNames.SequenceEqual(names, StringComparer.Ordinal))
            {
                throw new ModelFormatException($"Member {m + 1}'s featurizer writes another feature layout than member 1's; every member must share the vocabularies.");
            }
        }

        if (!(thresholds.Review > 0 && thresholds.Review <= thresholds.Decline && thresholds.Decline <= 1))
        {
            throw new ModelFormatException($"The thresholds must satisfy 0 < review ≤ decline ≤ 1; got review {thresholds.Review}, decline {thresholds.Decline}.");
        }

        ModelId = modelId;
        CreatedAt = createdAt;
        _members = [.. members];
        _featurizer = _members[0].Featurizer;
        // Scoring caches what each distinct basket line's texts give (bounded; docs/performance.md).
        _joint = new JointFeaturizer([.. _members.Select(m => m.Featurizer)], JointFeaturizer.DefaultLineCacheSlots);
        _calibration = calibration;
        _calibrationDto = calibration.ToDto();
        Thresholds = thresholds;
        FeatureSchemaHash = SchemaHash(names, members[0].Featurizer.LayoutVersion);
        _shap = new Lazy<EnsembleShap?>(() => EnsembleShap.TryBuild([.. _members.Select(m => m.Trees)]));
        _flat = SplitWordEnsemble.TryBuild([.. _members.Select(m => m.Trees)]);
    }

    /// <summary>Content-derived identifier: the same trees, featurizer, calibration and thresholds give the same id.</summary>
    public string ModelId { get; }

    public DateTimeOffset CreatedAt { get; }

    public ModelThresholds Thresholds { get; }

    public IReadOnlyList<string> FeatureNames => _featurizer.FeatureNames;

    public int FeatureCount => _featurizer.FeatureCount;

    /// <summary>SHA-256 (hex) of the feature layout version and names.</summary>
    public string FeatureSchemaHash { get; }

    /// <summary>
    /// The first member's featurizer: the feature layout and groups every member shares, and the feature values that
    /// drift monitoring profiles (<see cref="Featurize"/>).
    /// </summary>
    public BasketFeaturizer Featurizer => _featurizer;

    /// <summary>The members whose log-odds are averaged; each has its own encodings, line model and trees.</summary>
    public IReadOnlyList<ModelMember> Members => _members;

    /// <summary>Whether plain scores come from the flat layout of all members' trees (<see cref="SplitWordEnsemble"/>).</summary>
    internal bool ScoresFromFlatTrees => _flat is not null;

    /// <summary>Trees over every member.</summary>
    public int TreeCount => _members.Sum(m => m.Trees.TreeCount);

    /// <summary>Name of the calibration method (<c>isotonic</c> or <c>platt</c>).</summary>
    public string CalibrationMethod => _calibrationDto.Kind;

    /// <summary>Writes the first member's features of <paramref name="basket"/> into <paramref name="destination"/> (length ≥ <see cref="FeatureCount"/>).</summary>
    public void Featurize(Basket basket, Span<float> destination) => _featurizer.Featurize(basket, destination);

    /// <summary>Raw score (log-odds, before calibration): the mean of the members' log-odds; allocates nothing.</summary>
    public double PredictRaw(Basket basket)
    {
        ArgumentNullException.ThrowIfNull(basket);
        return Raw(basket, FeatureBuffer());
    }

    /// <summary>Calibrated probability for a raw score.</summary>
    public double Calibrate(double rawScore) => Math.Clamp(_calibration.Calibrate(rawScore), MinProbability, 1 - MinProbability);

    /// <summary>Calibrated fraud probability of one basket; allocates nothing.</summary>
    public double PredictProbability(Basket basket) => Calibrate(PredictRaw(basket));

    /// <summary>Scores one basket; with <paramref name="explain"/>, adds the <paramref name="maxReasons"/> strongest reasons.</summary>
    public ScoreResult Score(Basket basket, bool explain = true, int maxReasons = 5)
    {
        ArgumentNullException.ThrowIfNull(basket);
        ArgumentOutOfRangeException.ThrowIfNegative(maxReasons);
        var rows = FeatureBuffer();
        if (!explain || maxReasons == 0)
        {
            var probability = Calibrate(Raw(basket, rows));
            return new ScoreResult(probability, Thresholds.Decide(probability), []);
        }

        var contributions = _threadContributions ??= new double[FeatureCount];
        var memberContributions = _threadMemberContributions ??= new double[FeatureCount];
        var lines = LineBuffer(basket.Items.Count);
        var (raw, _) = Explain(basket, rows, lines, contributions, memberContributions);
        var calibrated = Calibrate(raw);
        var groups = GroupSums(contributions);
        return new ScoreResult(calibrated, Thresholds.Decide(calibrated), ReasonText.Top(_featurizer, basket, rows.AsSpan(0, FeatureCount), lines, groups, maxReasons));
    }

    /// <summary>Calibrated probabilities of many baskets, one per basket, in order.</summary>
    public void ScoreMany(IReadOnlyList<Basket> baskets, Span<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        if (probabilities.Length < baskets.Count)
        {
            throw new ArgumentException($"Room for {probabilities.Length} probabilities but {baskets.Count} baskets.", nameof(probabilities));
        }

        for (var i = 0; i < baskets.Count; i++)
        {
            probabilities[i] = PredictProbability(baskets[i]);
        }
    }

    /// <summary>
    /// Scores many baskets on <paramref name="threads"/> threads (0 = every core) in fixed ranges; each basket's
    /// probability is exactly what <see cref="PredictProbability"/> gives.
    /// </summary>
    public void ScoreMany(IReadOnlyList<Basket> baskets, double[] probabilities, int threads)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (probabilities.Length < baskets.Count)
        {
            throw new ArgumentException($"Room for {probabilities.Length} probabilities but {baskets.Count} baskets.", nameof(probabilities));
        }

        const int Chunk = 2048;
        var chunks = (baskets.Count + Chunk - 1) / Chunk;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads };
        Parallel.For(0, chunks, options, c =>
        {
            var end = Math.Min(baskets.Count, (c + 1) * Chunk);
            for (var i = c * Chunk; i < end; i++)
            {
                probabilities[i] = PredictProbability(baskets[i]);
            }
        });
    }

    /// <summary>Every feature's TreeSHAP contribution and every reason, strongest first.</summary>
    public Explanation Explain(Basket basket)
    {
        ArgumentNullException.ThrowIfNull(basket);
        var rows = new float[_members.Length * FeatureCount];
        var contributions = new double[FeatureCount];
        var lines = new LineFacts[basket.Items.Count];
        var (raw, baseValue) = Explain(basket, rows, lines, contributions, new double[FeatureCount]);
        var probability = Calibrate(raw);
        var groups = GroupSums(contributions);
        // Every group with any contribution, so that the reasons add up to the raw score exactly.
        var reasons = ReasonText.Top(_featurizer, basket, rows.AsSpan(0, FeatureCount), lines, groups, groups.Length, negligible: 0);
        return new Explanation(basket.Id, probability, Thresholds.Decide(probability), raw, baseValue, reasons, contributions);
    }

    /// <summary>Reads a model file; throws <see cref="ModelFormatException"/> with a clear message when it cannot be used.</summary>
    public static FraudModel Load(Stream utf8Json) =>
        FromDto(ArtifactJson.Read(utf8Json, ModelJsonContext.Default.ModelArtifactDto, ModelFileName));

    /// <inheritdoc cref="Load"/>
    public static FraudModel FromJson(ReadOnlySpan<byte> utf8Json) =>
        FromDto(ArtifactJson.Read(utf8Json, ModelJsonContext.Default.ModelArtifactDto, ModelFileName));

    private const string ModelFileName = "The model file";

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(ToDto(ModelId, CreatedAt), ModelJsonContext.Default.ModelArtifactDto);

    internal static FraudModel Create(IReadOnlyList<ModelMember> members, ICalibrator calibration, ModelThresholds thresholds, DateTimeOffset createdAt)
    {
        var draft = new FraudModel(string.Empty, default, members, calibration, thresholds);
        var content = JsonSerializer.SerializeToUtf8Bytes(draft.ToDto(string.Empty, default), ModelJsonContext.Default.ModelArtifactDto);
        var id = "gbdt-" + Convert.ToHexStringLower(SHA256.HashData(content))[..16];
        return new FraudModel(id, createdAt, members, draft._calibration, thresholds);
    }

    /// <summary>Mean of the members' raw scores; <paramref name="rows"/> (one row per member) is scratch.</summary>
    private double Raw(Basket basket, Span<float> rows)
    {
        _joint.Featurize(basket, rows);
        return MeanRaw(rows);
    }

    /// <summary>
    /// Mean of the members' raw scores of their rows (member m's features at <c>rows[m·FeatureCount ..]</c>): from the
    /// flat layout of all members' trees when there is one (bit for bit the same sum), else member by member.
    /// </summary>
    private double MeanRaw(ReadOnlySpan<float> rows) => _flat is { } flat ? flat.PredictRaw(rows) : MeanRawPerMember(rows);

    /// <summary><see cref="MeanRaw"/> by walking each member's trees (<see cref="GbdtModel.PredictRaw(ReadOnlySpan{float})"/>).</summary>
    internal double MeanRawPerMember(ReadOnlySpan<float> rows)
    {
        var width = FeatureCount;
        var sum = 0.0;
        for (var m = 0; m < _members.Length; m++)
        {
            sum += _members[m].Trees.PredictRaw(rows.Slice(m * width, width));
        }

        return sum / _members.Length;
    }

    /// <summary>
    /// Returns the raw score and the base value, and writes the mean of the members' TreeSHAP values into
    /// <paramref name="contributions"/>; base value and contributions add up to the raw score. <paramref name="rows"/>
    /// ends with every member's features, the first member's first (the reason texts quote them), and
    /// <paramref name="lines"/> with what the first member's tables say of each line (for the reason texts too).
    /// </summary>
    private (double Raw, double BaseValue) Explain(Basket basket, Span<float> rows, Span<LineFacts> lines, double[] contributions, double[] scratch)
    {
        _joint.Featurize(basket, rows, lines);
        if (_shap.Value is { } shap)
        {
            // One pass over every member's trees gives the contributions and the raw score together.
            return (shap.Explain(rows, contributions), shap.BaseValue);
        }

        return (MeanRaw(rows), MeanContributionsPerMember(rows, contributions, scratch));
    }

    /// <summary>
    /// The mean of the members' TreeSHAP values for their rows (laid out as for <see cref="MeanRaw"/>) into
    /// <paramref name="contributions"/>, feature by feature, as explanations show them; returns the mean of the
    /// members' base values. <paramref name="scratch"/> holds one member's values at a time when the members are
    /// explained one by one.
    /// </summary>
    internal double MeanContributions(ReadOnlySpan<float> rows, Span<double> contributions, Span<double> scratch)
    {
        if (_shap.Value is { } shap)
        {
            shap.Explain(rows, contributions);
            return shap.BaseValue;
        }

        return MeanContributionsPerMember(rows, contributions, scratch);
    }

    /// <summary><see cref="MeanContributions"/> member by member (trees the one-pass tables do not take).</summary>
    internal double MeanContributionsPerMember(ReadOnlySpan<float> rows, Span<double> contributions, Span<double> scratch)
    {
        contributions.Clear();
        var width = FeatureCount;
        var baseValue = 0.0;
        for (var m = 0; m < _members.Length; m++)
        {
            baseValue += TreeShap.Explain(_members[m].Trees, rows.Slice(m * width, width), scratch);
            for (var f = 0; f < contributions.Length; f++)
            {
                contributions[f] += scratch[f];
            }
        }

        var k = (double)_members.Length;
        for (var f = 0; f < contributions.Length; f++)
        {
            contributions[f] /= k;
        }

        return baseValue / k;
    }

    internal double[] GroupSums(ReadOnlySpan<double> contributions)
    {
        var groups = _threadGroups is { } g && g.Length == _featurizer.Groups.Count ? g : _threadGroups = new double[_featurizer.Groups.Count];
        Array.Clear(groups);
        var groupOf = _featurizer.GroupOfFeature;
        for (var f = 0; f < contributions.Length; f++)
        {
            groups[groupOf[f]] += contributions[f];
        }

        return groups;
    }

    /// <summary>This thread's slots for the facts of <paramref name="lines"/> basket lines.</summary>
    private static Span<LineFacts> LineBuffer(int lines)
    {
        var buffer = _threadLines is { } b && b.Length >= lines ? b : _threadLines = new LineFacts[Math.Max(lines, 32)];
        return buffer.AsSpan(0, lines);
    }

    private float[] FeatureBuffer()
    {
        var buffer = _threadFeatures;
        var length = _members.Length * FeatureCount;
        if (buffer is null || buffer.Length != length)
        {
            // One row per member, per thread, sized for the model in use; a thread that alternates models resizes.
            buffer = _threadFeatures = new float[length];
        }

        if (_threadContributions is not null && _threadContributions.Length != FeatureCount)
        {
            _threadContributions = null;
            _threadMemberContributions = null;
        }

        return buffer;
    }

    private ModelArtifactDto ToDto(string modelId, DateTimeOffset createdAt) => new()
    {
        SchemaVersion = CurrentSchemaVersion,
        ModelId = modelId,
        CreatedAt = createdAt,
        FeatureNames = [.. _featurizer.FeatureNames],
        FeatureSchemaHash = FeatureSchemaHash,
        Members = [.. _members.Select(m => new ModelMemberDto { Featurizer = m.Featurizer.ToDto(), Trees = m.Trees.ToDto() })],
        Calibration = _calibrationDto,
        Thresholds = Thresholds,
    };

    private static FraudModel FromDto(ModelArtifactDto? dto)
    {
        if (dto is null)
        {
            throw new ModelFormatException("The model file is empty.");
        }

        if (dto.SchemaVersion is not (CurrentSchemaVersion or SingleMemberSchemaVersion))
        {
            throw new ModelFormatException($"The model file has schema version {dto.SchemaVersion}; this build reads versions {SingleMemberSchemaVersion} and {CurrentSchemaVersion}.");
        }

        if (string.IsNullOrWhiteSpace(dto.ModelId))
        {
            throw new ModelFormatException("The model file has no model id.");
        }

        // Version 1 held one featurizer and one tree ensemble at the top level: read it as a single member.
        var memberDtos = dto.SchemaVersion == SingleMemberSchemaVersion
            ? [new ModelMemberDto { Featurizer = dto.Featurizer, Trees = dto.Trees }]
            : dto.Members;
        if (memberDtos is null || memberDtos.Length == 0)
        {
            throw new ModelFormatException("The model file has no members (featurizer and trees).");
        }

        var members = new ModelMember[memberDtos.Length];
        for (var m = 0; m < members.Length; m++)
        {
            var memberDto = memberDtos[m] ?? throw new ModelFormatException($"The model file's member {m + 1} is empty.");
            var featurizer = BasketFeaturizer.FromDto(memberDto.Featurizer);
            if (dto.FeatureNames is null || !dto.FeatureNames.AsSpan().SequenceEqual([.. featurizer.FeatureNames]))
            {
                throw new ModelFormatException("The model file's feature list does not match its featurizer state (corrupt or edited file).");
            }

            if (!string.Equals(dto.FeatureSchemaHash, SchemaHash(featurizer.FeatureNames, featurizer.LayoutVersion), StringComparison.Ordinal))
            {
                throw new ModelFormatException("The model file's feature-schema hash does not match its features (corrupt file or a model built by another feature layout).");
            }

            try
            {
                members[m] = new ModelMember(featurizer, GbdtModel.FromDto(memberDto.Trees ?? throw new ModelFormatException("The model file has no trees.")));
            }
            catch (InvalidDataException ex)
            {
                throw new ModelFormatException($"The model file's trees are invalid: {ex.Message}", ex);
            }
        }

        var thresholds = dto.Thresholds ?? throw new ModelFormatException("The model file has no thresholds.");
        ICalibrator calibration;
        try
        {
            calibration = Calibrators.FromDto(dto.Calibration ?? throw new ModelFormatException("The model file has no calibration."));
        }
        catch (InvalidDataException ex)
        {
            throw new ModelFormatException($"The model file's calibration is invalid: {ex.Message}", ex);
        }

        return new FraudModel(dto.ModelId, dto.CreatedAt, members, calibration, thresholds);
    }

    internal static string SchemaHash(IReadOnlyList<string> featureNames, int layoutVersion = BasketFeaturizer.CurrentVersion)
    {
        var text = new StringBuilder().Append("layout=").Append(layoutVersion).Append('\n');
        foreach (var name in featureNames)
        {
            text.Append(name).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>One member of a <see cref="FraudModel"/>: a fitted featurizer and the trees trained on its features.</summary>
public sealed record ModelMember(BasketFeaturizer Featurizer, GbdtModel Trees);
