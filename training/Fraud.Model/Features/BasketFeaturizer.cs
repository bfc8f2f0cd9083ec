using Fraud.Baskets;

namespace Fraud.Model.Features;

/// <summary>
/// Turns a basket into a fixed-length vector of floats. The layout is: basket aggregates, units and spend
/// per category and per make (vocabularies fitted on training data, other values pooled), then the fraud
/// history of the basket's model names, goods codes, model-name words, categories and makes (smoothed
/// target encodings, aggregated per basket), and last the line model's view of the basket (<see cref="LineRiskModel"/>). Immutable and thread-safe; featurizing allocates nothing.
/// </summary>
public sealed class BasketFeaturizer
{
    /// <summary>
    /// The newest feature layout this build reads and writes: layout 5 is layout 4 plus nine cumulative price-decile
    /// counts at the end of the vector (<c>--param price_deciles=true</c>); layouts 3 to 5 load, older ones are refused.
    /// </summary>
    public const int CurrentVersion = 5;

    /// <summary>The layout training writes by default (without <see cref="FeaturizerOptions.PriceDeciles"/>).</summary>
    public const int DefaultVersion = 4;

    /// <summary>The oldest layout still read: layout 3 differs only in its fixed price bands and their names.</summary>
    public const int OldestReadableVersion = 3;

    internal const int AggregateCount = 30;
    internal const int RiskCount = JointFeaturizer.HistoryCount + LineRiskModel.OutputCount;

    private readonly string[] _categories;
    private readonly string[] _makes;
    private readonly PriceBands _priceBands;
    private readonly int _layoutVersion;
    private readonly EncodingTable _models;
    private readonly EncodingTable _goodsCodes;
    private readonly EncodingTable _modelWords;
    private readonly EncodingTable _categoryRisk;
    private readonly EncodingTable _makeRisk;
    private readonly LineRiskModel _lineModel;
    private readonly int _minTokenLength;
    private readonly Dictionary<string, int> _featureIndex;
    private readonly JointFeaturizer _joint;

    internal BasketFeaturizer(
        string[] categories,
        string[] makes,
        PriceBands priceBands,
        EncodingTable models,
        EncodingTable goodsCodes,
        EncodingTable modelWords,
        EncodingTable categoryRisk,
        EncodingTable makeRisk,
        LineRiskModel lineModel,
        int minTokenLength,
        int layoutVersion = DefaultVersion)
    {
        if ((layoutVersion >= 5) != (priceBands.DecileBounds.Length > 0))
        {
            throw new ModelFormatException($"Feature layout {layoutVersion} {(layoutVersion >= 5 ? "needs" : "has no")} price-decile bounds.");
        }

        _layoutVersion = layoutVersion;
        _categories = categories;
        _makes = makes;
        _priceBands = priceBands;
        _models = models;
        _goodsCodes = goodsCodes;
        _modelWords = modelWords;
        _categoryRisk = categoryRisk;
        _makeRisk = makeRisk;
        _lineModel = lineModel;
        _minTokenLength = minTokenLength;
        FeatureCount = AggregateCount + (2 * (categories.Length + 1)) + (2 * (makes.Length + 1)) + RiskCount + priceBands.DecileBounds.Length;
        (FeatureNames, Groups, GroupOfFeature) = FeatureLayout.Build(categories, makes, FeatureCount, layoutVersion);
        _featureIndex = new Dictionary<string, int>(FeatureCount, StringComparer.Ordinal);
        for (var i = 0; i < FeatureNames.Count; i++)
        {
            _featureIndex[FeatureNames[i]] = i;
        }

        // Last: it reads the tables and layout above.
        _joint = new JointFeaturizer([this]);
    }

    /// <summary>Length of the vector <see cref="Featurize"/> writes.</summary>
    public int FeatureCount { get; }

    /// <summary>One name per feature, in vector order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The readable groups that explanations report.</summary>
    public IReadOnlyList<FeatureGroup> Groups { get; }

    /// <summary>Index into <see cref="Groups"/> for each feature.</summary>
    internal int[] GroupOfFeature { get; }

    internal IReadOnlyList<string> Categories => _categories;

    internal IReadOnlyList<string> Makes => _makes;

    internal PriceBands PriceBands => _priceBands;

    /// <summary>The feature layout this featurizer writes: 4 (the default), 5 (with price deciles), or 3 for a model loaded from before layout 4.</summary>
    internal int LayoutVersion => _layoutVersion;

    internal EncodingTable ModelTable => _models;

    internal EncodingTable GoodsCodeTable => _goodsCodes;

    internal EncodingTable ModelWordTable => _modelWords;

    internal EncodingTable CategoryRiskTable => _categoryRisk;

    internal EncodingTable MakeRiskTable => _makeRisk;

    internal LineRiskModel LineModel => _lineModel;

    internal int MinTokenLength => _minTokenLength;

    /// <summary>Where the reason texts read their features: looked up by name once, on the first explanation.</summary>
    internal Explanations.ReasonIndices ReasonIndices => _reasonIndices ??= new Explanations.ReasonIndices(this);

    private Explanations.ReasonIndices? _reasonIndices;

    /// <summary>Position of the feature called <paramref name="name"/>, or -1.</summary>
    internal int IndexOf(string name) => _featureIndex.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Writes the features of <paramref name="basket"/> into <paramref name="destination"/> (length ≥ <see cref="FeatureCount"/>).</summary>
    public void Featurize(Basket basket, Span<float> destination) => _joint.Featurize(basket, destination);

    internal FeaturizerStateDto ToDto() => new()
    {
        Version = _layoutVersion,
        MinTokenLength = _minTokenLength,
        Categories = _categories,
        Makes = _makes,
        PriceBounds = _layoutVersion == 3 ? [] : _priceBands.Bounds,
        QuantityPriceBounds = _layoutVersion == 3 ? [] : _priceBands.QuantityBounds,
        PriceDecileBounds = _layoutVersion >= 5 ? _priceBands.DecileBounds : null,
        Models = _models.ToDto(),
        GoodsCodes = _goodsCodes.ToDto(),
        ModelWords = _modelWords.ToDto(),
        CategoryRisk = _categoryRisk.ToDto(),
        MakeRisk = _makeRisk.ToDto(),
        LineModel = _lineModel.ToDto(),
    };

    internal static BasketFeaturizer FromDto(FeaturizerStateDto? dto)
    {
        if (dto is null)
        {
            throw new ModelFormatException("The model has no featurizer state.");
        }

        if (dto.Version < OldestReadableVersion || dto.Version > CurrentVersion)
        {
            throw new ModelFormatException($"The featurizer layout version is {dto.Version}; this build reads versions {OldestReadableVersion} to {CurrentVersion}.");
        }

        // Layout 3 stored no bands: it used the fixed ones, so a champion registered before layout 4 keeps serving.
        var legacy = dto.Version == 3;
        if (dto.Categories is null || dto.Makes is null || (!legacy && (dto.PriceBounds is null || dto.QuantityPriceBounds is null)) || dto.MinTokenLength < 1
            || (dto.Version >= 5 && dto.PriceDecileBounds is null))
        {
            throw new ModelFormatException("The featurizer state is incomplete (vocabularies, price bands or token length missing).");
        }

        return new BasketFeaturizer(
            dto.Categories,
            dto.Makes,
            legacy ? PriceBands.Legacy() : new PriceBands(dto.PriceBounds!, dto.QuantityPriceBounds!, dto.Version >= 5 ? dto.PriceDecileBounds : null),
            EncodingTable.FromDto(dto.Models, "models"),
            EncodingTable.FromDto(dto.GoodsCodes, "goodsCodes"),
            EncodingTable.FromDto(dto.ModelWords, "modelWords"),
            EncodingTable.FromDto(dto.CategoryRisk, "categoryRisk"),
            EncodingTable.FromDto(dto.MakeRisk, "makeRisk"),
            LineRiskModel.FromDto(dto.LineModel, dto.MinTokenLength),
            dto.MinTokenLength,
            dto.Version);
    }
}
