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
/// A trained fraud model ready to score: featurizer, tree ensemble, calibration and thresholds. Immutable and
/// thread-safe. Scoring reuses per-thread buffers, so a probability costs no allocation and a scored basket
/// allocates only its result.
/// </summary>
public sealed class FraudModel
{
    /// <summary>Version of the model file layout this build reads and writes.</summary>
    public const int CurrentSchemaVersion = 1;

    // Keeps a calibrated 0 or 1 (an isotonic end step) from claiming certainty.
    private const double MinProbability = 1e-6;

    [ThreadStatic]
    private static float[]? _threadFeatures;

    [ThreadStatic]
    private static double[]? _threadContributions;

    [ThreadStatic]
    private static double[]? _threadGroups;

    private readonly BasketFeaturizer _featurizer;
    private readonly GbdtModel _trees;
    private readonly ICalibrator _calibration;
    private readonly CalibratorDto _calibrationDto;

    private FraudModel(string modelId, DateTimeOffset createdAt, BasketFeaturizer featurizer, GbdtModel trees, ICalibrator calibration, ModelThresholds thresholds)
    {
        if (trees.FeatureCount != featurizer.FeatureCount)
        {
            throw new ModelFormatException($"The trees expect {trees.FeatureCount} features but the featurizer writes {featurizer.FeatureCount}.");
        }

        if (!(thresholds.Review > 0 && thresholds.Review <= thresholds.Decline && thresholds.Decline <= 1))
        {
            throw new ModelFormatException($"The thresholds must satisfy 0 < review ≤ decline ≤ 1; got review {thresholds.Review}, decline {thresholds.Decline}.");
        }

        ModelId = modelId;
        CreatedAt = createdAt;
        _featurizer = featurizer;
        _trees = trees;
        _calibration = calibration;
        _calibrationDto = calibration.ToDto();
        Thresholds = thresholds;
        FeatureSchemaHash = SchemaHash(featurizer.FeatureNames);
    }

    /// <summary>Content-derived identifier: the same trees, featurizer, calibration and thresholds give the same id.</summary>
    public string ModelId { get; }

    public DateTimeOffset CreatedAt { get; }

    public ModelThresholds Thresholds { get; }

    public IReadOnlyList<string> FeatureNames => _featurizer.FeatureNames;

    public int FeatureCount => _featurizer.FeatureCount;

    /// <summary>SHA-256 (hex) of the feature layout version and names.</summary>
    public string FeatureSchemaHash { get; }

    /// <summary>The fitted featurizer (vocabularies, encodings, feature groups).</summary>
    public BasketFeaturizer Featurizer => _featurizer;

    /// <summary>The tree ensemble (raw scores in log-odds).</summary>
    public GbdtModel Trees => _trees;

    /// <summary>Name of the calibration method (<c>isotonic</c> or <c>platt</c>).</summary>
    public string CalibrationMethod => _calibrationDto.Kind;

    /// <summary>Writes the features of <paramref name="basket"/> into <paramref name="destination"/> (length ≥ <see cref="FeatureCount"/>).</summary>
    public void Featurize(Basket basket, Span<float> destination) => _featurizer.Featurize(basket, destination);

    /// <summary>Raw score (log-odds, before calibration) of an already featurized row.</summary>
    public double PredictRaw(ReadOnlySpan<float> features) => _trees.PredictRaw(features);

    /// <summary>Calibrated probability for a raw score.</summary>
    public double Calibrate(double rawScore) => Math.Clamp(_calibration.Calibrate(rawScore), MinProbability, 1 - MinProbability);

    /// <summary>Calibrated fraud probability of one basket; allocates nothing.</summary>
    public double PredictProbability(Basket basket)
    {
        var row = FeatureBuffer();
        _featurizer.Featurize(basket, row);
        return Calibrate(_trees.PredictRaw(row));
    }

    /// <summary>Scores one basket; with <paramref name="explain"/>, adds the <paramref name="maxReasons"/> strongest reasons.</summary>
    public ScoreResult Score(Basket basket, bool explain = true, int maxReasons = 5)
    {
        ArgumentNullException.ThrowIfNull(basket);
        ArgumentOutOfRangeException.ThrowIfNegative(maxReasons);
        var row = FeatureBuffer();
        _featurizer.Featurize(basket, row);
        var probability = Calibrate(_trees.PredictRaw(row));
        var decision = Thresholds.Decide(probability);
        if (!explain || maxReasons == 0)
        {
            return new ScoreResult(probability, decision, []);
        }

        var contributions = _threadContributions ??= new double[FeatureCount];
        TreeShap.Explain(_trees, row, contributions);
        var groups = GroupSums(contributions);
        return new ScoreResult(probability, decision, ReasonText.Top(_featurizer, basket, row, groups, maxReasons));
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
        var row = new float[FeatureCount];
        _featurizer.Featurize(basket, row);
        var raw = _trees.PredictRaw(row);
        var contributions = new double[FeatureCount];
        var baseValue = TreeShap.Explain(_trees, row, contributions);
        var probability = Calibrate(raw);
        var groups = GroupSums(contributions);
        // Every group with any contribution, so that the reasons add up to the raw score exactly.
        var reasons = ReasonText.Top(_featurizer, basket, row, groups, groups.Length, negligible: 0);
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

    internal static FraudModel Create(BasketFeaturizer featurizer, GbdtModel trees, ICalibrator calibration, ModelThresholds thresholds, DateTimeOffset createdAt)
    {
        var draft = new FraudModel(string.Empty, default, featurizer, trees, calibration, thresholds);
        var content = JsonSerializer.SerializeToUtf8Bytes(draft.ToDto(string.Empty, default), ModelJsonContext.Default.ModelArtifactDto);
        var id = "gbdt-" + Convert.ToHexStringLower(SHA256.HashData(content))[..16];
        return new FraudModel(id, createdAt, featurizer, trees, draft._calibration, thresholds);
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

    private float[] FeatureBuffer()
    {
        var buffer = _threadFeatures;
        if (buffer is null || buffer.Length != FeatureCount)
        {
            // One buffer per thread, sized for the model in use; a thread that alternates models resizes.
            buffer = _threadFeatures = new float[FeatureCount];
        }

        if (_threadContributions is not null && _threadContributions.Length != FeatureCount)
        {
            _threadContributions = null;
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
        Featurizer = _featurizer.ToDto(),
        Trees = _trees.ToDto(),
        Calibration = _calibrationDto,
        Thresholds = Thresholds,
    };

    private static FraudModel FromDto(ModelArtifactDto? dto)
    {
        if (dto is null)
        {
            throw new ModelFormatException("The model file is empty.");
        }

        if (dto.SchemaVersion != CurrentSchemaVersion)
        {
            throw new ModelFormatException($"The model file has schema version {dto.SchemaVersion}; this build reads version {CurrentSchemaVersion}.");
        }

        if (string.IsNullOrWhiteSpace(dto.ModelId))
        {
            throw new ModelFormatException("The model file has no model id.");
        }

        var featurizer = BasketFeaturizer.FromDto(dto.Featurizer);
        if (dto.FeatureNames is null || !dto.FeatureNames.AsSpan().SequenceEqual([.. featurizer.FeatureNames]))
        {
            throw new ModelFormatException("The model file's feature list does not match its featurizer state (corrupt or edited file).");
        }

        if (!string.Equals(dto.FeatureSchemaHash, SchemaHash(featurizer.FeatureNames), StringComparison.Ordinal))
        {
            throw new ModelFormatException("The model file's feature-schema hash does not match its features (corrupt file or a model built by another feature layout).");
        }

        GbdtModel trees;
        try
        {
            trees = GbdtModel.FromDto(dto.Trees ?? throw new ModelFormatException("The model file has no trees."));
        }
        catch (InvalidDataException ex)
        {
            throw new ModelFormatException($"The model file's trees are invalid: {ex.Message}", ex);
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

        return new FraudModel(dto.ModelId, dto.CreatedAt, featurizer, trees, calibration, thresholds);
    }

    private static string SchemaHash(IReadOnlyList<string> featureNames)
    {
        var text = new StringBuilder().Append("layout=").Append(BasketFeaturizer.CurrentVersion).Append('\n');
        foreach (var name in featureNames)
        {
            text.Append(name).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
