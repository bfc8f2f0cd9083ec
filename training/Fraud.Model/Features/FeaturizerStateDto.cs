namespace Fraud.Model.Features;

/// <summary>JSON form of a fitted <see cref="BasketFeaturizer"/>: vocabularies and encoding tables.</summary>
public sealed class FeaturizerStateDto
{
    public int Version { get; set; }

    public int MinTokenLength { get; set; }

    /// <summary>Category vocabulary (normalised keys); other categories are pooled.</summary>
    public string[] Categories { get; set; } = [];

    /// <summary>Make vocabulary (upper-case keys); other makes are pooled.</summary>
    public string[] Makes { get; set; } = [];

    /// <summary>Upper bounds of the first five line-price bands (fitted quantiles of the training line prices).</summary>
    public double[] PriceBounds { get; set; } = [];

    /// <summary>Prices from which the largest quantity of a line is counted (two features).</summary>
    public double[] QuantityPriceBounds { get; set; } = [];

    /// <summary>Layout 5 only: the 10 % … 90 % quantiles of the training line prices (absent from layouts 3 and 4).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double[]? PriceDecileBounds { get; set; }

    public EncodingTableDto Models { get; set; } = new();

    public EncodingTableDto GoodsCodes { get; set; } = new();

    public EncodingTableDto ModelWords { get; set; } = new();

    public EncodingTableDto CategoryRisk { get; set; } = new();

    public EncodingTableDto MakeRisk { get; set; } = new();

    public LineRiskModelDto LineModel { get; set; } = new();
}
