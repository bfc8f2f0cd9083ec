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
    private RequestShape(JsonKind kind, string noun, IReadOnlyList<FieldShape>? fields, RequestShape? items, int? maxItems)
    {
        Kind = kind;
        Noun = noun;
        Fields = fields ?? [];
        Items = items;
        MaxItems = maxItems;
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

    public static RequestShape Text { get; } = new(JsonKind.Text, "a string", null, null, null);

    public static RequestShape Number { get; } = new(JsonKind.Number, "a number", null, null, null);

    public static RequestShape WholeNumber { get; } = new(JsonKind.WholeNumber, "a whole number", null, null, null);

    public static RequestShape Boolean { get; } = new(JsonKind.Boolean, "true or false", null, null, null);

    public static RequestShape DateTime { get; } = new(JsonKind.DateTime, "an ISO 8601 time with an offset, such as 2026-11-20T09:30:00Z", null, null, null);

    public static RequestShape Structure(string noun, params FieldShape[] fields)
    {
        if (fields.Length > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(fields), "At most 32 fields per object.");
        }

        return new(JsonKind.Structure, noun, fields, null, null);
    }

    public static RequestShape List(string noun, RequestShape items, int? maxItems = null) => new(JsonKind.List, noun, null, items, maxItems);

    public static FieldShape Required(string name, RequestShape shape, string description) => new(name, shape, required: true, description);

    public static FieldShape Optional(string name, RequestShape shape, string description) => new(name, shape, required: false, description);
}

/// <summary>The shapes of every request body the API reads.</summary>
public static class Contracts
{
    public static RequestShape BasketItem { get; } = RequestShape.Structure(
        "a basket item",
        RequestShape.Required("item", RequestShape.Text, "Product category as the retailer writes it, e.g. Computers."),
        RequestShape.Required("cashPrice", RequestShape.Number, "Unit price, at least 0."),
        RequestShape.Optional("make", RequestShape.Text, "Manufacturer; may be left out, null or empty."),
        RequestShape.Optional("model", RequestShape.Text, "Model description; may be left out, null or empty."),
        RequestShape.Optional("goodsCode", RequestShape.Text, "Retailer's goods code; may be left out, null or empty."),
        RequestShape.Required("quantity", RequestShape.WholeNumber, "Units bought, at least 1."));

    public static RequestShape Basket { get; } = RequestShape.Structure(
        "a basket",
        RequestShape.Required("id", RequestShape.Text, "The credit application's id (at most 256 characters)."),
        RequestShape.Required("items", RequestShape.List("the basket items", BasketItem, global::Fraud.Baskets.Basket.MaxItems), "1 to 24 items."));

    public static RequestShape ScoreBatch { get; } = RequestShape.Structure(
        "a batch of baskets",
        RequestShape.Required("baskets", RequestShape.List("the baskets", Basket, global::FraudFunctions.Scoring.ScoringApi.MaxBatchBaskets), "1 to 1,000 baskets."));

    public static RequestShape Label { get; } = RequestShape.Structure(
        "a label",
        RequestShape.Required("id", RequestShape.Text, "The basket id the label is about."),
        RequestShape.Required("fraudFlag", RequestShape.Boolean, "true for fraud, false for a genuine application."),
        RequestShape.Required("source", RequestShape.Text, "Who says so, e.g. chargeback or manual-review (at most 64 characters)."),
        RequestShape.Required("observedAt", RequestShape.DateTime, "When the outcome was observed: ISO 8601 with an offset, not in the future."));

    public static RequestShape Labels { get; } = RequestShape.List("a list of labels", Label, global::FraudFunctions.Labels.LabelsApi.MaxLabels);
}
