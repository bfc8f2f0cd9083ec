using System.Text;

namespace FraudFunctions.Http;

/// <summary>The JSON kinds a request field can have.</summary>
public enum JsonKind
{
    Text,
    Number,
    WholeNumber,
    Boolean,

    /// <summary>An ISO 8601 string with a date, a time and an offset (<c>Z</c> or <c>+01:00</c>).</summary>
    DateTime,
    Structure,
    List,
}

/// <summary>One field of a request object: its JSON name, whether it must be present, and its shape.</summary>
public sealed class FieldShape
{
    public FieldShape(string name, RequestShape shape, bool required, string description)
    {
        Name = name;
        Utf8Name = Encoding.UTF8.GetBytes(name);
        Shape = shape;
        Required = required;
        Description = description;
    }

    public string Name { get; }

    internal byte[] Utf8Name { get; }

    public RequestShape Shape { get; }

    public bool Required { get; }

    public string Description { get; }
}

/// <summary>
/// The request contract of the HTTP API, written once: <see cref="RequestValidator"/> checks every body against it
/// before deserialising (required fields present, no unknown or repeated field, the right JSON kind), and the OpenAPI
/// document's schemas take their required lists, types and descriptions from it, so the document and the behaviour
/// cannot disagree (issue 19, items 1 and 10). System.Text.Json alone would turn a missing <c>cashPrice</c> into 0 and
/// a misspelt <c>price</c> into nothing, and its errors speak of tokens and reader options.
/// </summary>
public sealed class RequestShape
{
    private RequestShape(
        JsonKind kind, string noun, IReadOnlyList<FieldShape>? fields, RequestShape? items, int? maxItems,
        string? schemaName = null, int minItems = 0, double? minimum = null, int? minLength = null, int? maxLength = null)
    {
        Kind = kind;
        Noun = noun;
        Fields = fields ?? [];
        Items = items;
        MaxItems = maxItems;
        SchemaName = schemaName;
        MinItems = minItems;
        Minimum = minimum;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public JsonKind Kind { get; }

    /// <summary>How an error message names a value of this shape ("a number", "a basket").</summary>
    public string Noun { get; }

    /// <summary>An object's fields (at most 32), in the order the documentation lists them.</summary>
    public IReadOnlyList<FieldShape> Fields { get; }

    /// <summary>An array's element shape.</summary>
    public RequestShape? Items { get; }

    /// <summary>An array's documented maximum length (checked by the endpoint, stated in the OpenAPI document).</summary>
    public int? MaxItems { get; }

    /// <summary>An array's documented minimum length (checked by the endpoint).</summary>
    public int MinItems { get; }

    /// <summary>An object's name among the OpenAPI document's component schemas.</summary>
    public string? SchemaName { get; }

    /// <summary>
    /// A number's documented lower bound, and a text's documented length bounds. <see cref="RequestValidator"/> checks
    /// only kinds; these bounds are checked after deserialising (BasketValidation, LabelsApi) from the same constants.
    /// </summary>
    public double? Minimum { get; }

    public int? MinLength { get; }

    public int? MaxLength { get; }

    public static RequestShape Text { get; } = new(JsonKind.Text, "a string", null, null, null);

    public static RequestShape Number { get; } = new(JsonKind.Number, "a number", null, null, null);

    public static RequestShape WholeNumber { get; } = new(JsonKind.WholeNumber, "a whole number", null, null, null);

    public static RequestShape Boolean { get; } = new(JsonKind.Boolean, "true or false", null, null, null);

    public static RequestShape DateTime { get; } = new(JsonKind.DateTime, "an ISO 8601 time with an offset, such as 2026-11-20T09:30:00Z", null, null, null);

    /// <summary>An object named <paramref name="schemaName"/> in the OpenAPI document.</summary>
    public static RequestShape Structure(string schemaName, string noun, params FieldShape[] fields)
    {
        if (fields.Length > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(fields), "At most 32 fields per object.");
        }

        return new(JsonKind.Structure, noun, fields, null, null, schemaName);
    }

    public static RequestShape List(string noun, RequestShape items, int minItems, int? maxItems = null) => new(JsonKind.List, noun, null, items, maxItems, minItems: minItems);

    /// <summary>This number shape with a documented lower bound.</summary>
    public RequestShape AtLeast(double minimum) => new(Kind, Noun, Fields, Items, MaxItems, SchemaName, MinItems, minimum, MinLength, MaxLength);

    /// <summary>This text shape with documented length bounds.</summary>
    public RequestShape Length(int? min, int max) => new(Kind, Noun, Fields, Items, MaxItems, SchemaName, MinItems, Minimum, min, max);

    public static FieldShape Required(string name, RequestShape shape, string description) => new(name, shape, required: true, description);

    public static FieldShape Optional(string name, RequestShape shape, string description) => new(name, shape, required: false, description);
}

/// <summary>The shapes of every request body the API reads.</summary>
public static class Contracts
{
    private const int MaxText = global::Fraud.Baskets.Basket.MaxStringLength;

    public static RequestShape BasketItem { get; } = RequestShape.Structure(
        "BasketItem",
        "a basket item",
        RequestShape.Required("item", RequestShape.Text.Length(1, MaxText), "Product category as the retailer writes it, e.g. Computers."),
        RequestShape.Required("cashPrice", RequestShape.Number.AtLeast(0), "Unit price, at least 0; price × quantity at most 1,000,000,000,000."),
        RequestShape.Optional("make", RequestShape.Text.Length(null, MaxText), "Manufacturer; may be left out, null or empty."),
        RequestShape.Optional("model", RequestShape.Text.Length(null, MaxText), "Model description; may be left out, null or empty."),
        RequestShape.Optional("goodsCode", RequestShape.Text.Length(null, MaxText), "Retailer's goods code; may be left out, null or empty."),
        RequestShape.Required("quantity", RequestShape.WholeNumber.AtLeast(1), "Units bought, at least 1."));

    public static RequestShape Basket { get; } = RequestShape.Structure(
        "Basket",
        "a basket",
        RequestShape.Required("id", RequestShape.Text.Length(1, MaxText), "The credit application's id (at most 256 characters)."),
        RequestShape.Required("items", RequestShape.List("the basket items", BasketItem, 1, global::Fraud.Baskets.Basket.MaxItems), "1 to 24 items."));

    public static RequestShape ScoreBatch { get; } = RequestShape.Structure(
        "ScoreBatchRequest",
        "a batch of baskets",
        RequestShape.Required("baskets", RequestShape.List("the baskets", Basket, 1, global::FraudFunctions.Scoring.ScoringApi.MaxBatchBaskets), "1 to 1,000 baskets."));

    public static RequestShape Label { get; } = RequestShape.Structure(
        "Label",
        "a label",
        RequestShape.Required("id", RequestShape.Text.Length(1, MaxText), "The basket id the label is about."),
        RequestShape.Required("fraudFlag", RequestShape.Boolean, "true for fraud, false for a genuine application."),
        RequestShape.Required("source", RequestShape.Text.Length(1, global::FraudFunctions.Labels.LabelsApi.MaxSourceLength), "Who says so, e.g. chargeback or manual-review (at most 64 characters)."),
        RequestShape.Required("observedAt", RequestShape.DateTime, "When the outcome was observed: ISO 8601 with an offset, not in the future."));

    public static RequestShape Labels { get; } = RequestShape.List("a list of labels", Label, 1, global::FraudFunctions.Labels.LabelsApi.MaxLabels);
}
