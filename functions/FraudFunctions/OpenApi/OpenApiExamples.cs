using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FraudFunctions.OpenApi;

/// <summary>
/// Adds request and response examples to each operation of <c>/openapi/v1.json</c>, keyed by endpoint name, and the
/// API-key scheme used in standalone mode.
/// </summary>
public sealed class OpenApiExamples : IOpenApiOperationTransformer
{
    private const string Basket = """
        {"id": "app-000123", "items": [
          {"item": "Computers", "cashPrice": 1299.0, "make": "Apple", "model": "MacBook Pro 14", "goodsCode": "239001518", "quantity": 1},
          {"item": "Warranty", "cashPrice": 149.0, "make": "Apple", "model": "AppleCare", "goodsCode": "240001007", "quantity": 1}]}
        """;

    private const string Score = """
        {"id": "app-000123", "fraudProbability": 0.0412, "decision": "approve", "modelVersion": "3",
         "reasons": [{"code": "total_amount", "description": "Basket total", "contribution": 0.61},
                     {"code": "n_items", "description": "Number of distinct items", "contribution": -0.22}]}
        """;

    private const string Problem = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The request is not valid.", "status": 400,
         "detail": "items[0].cashPrice: The unit price must be a finite number of at least 0.",
         "errors": {"items[0].cashPrice": ["The unit price must be a finite number of at least 0."]}}
        """;

    private const string LabelProblem = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The request is not valid.", "status": 400,
         "detail": "[0].observedAt: Expected an ISO 8601 time with a date, a time and an offset, such as 2026-11-20T09:30:00Z or 2026-11-20T10:30:00+01:00.",
         "errors": {"[0].observedAt": ["Expected an ISO 8601 time with a date, a time and an offset, such as 2026-11-20T09:30:00Z or 2026-11-20T10:30:00+01:00."]}}
        """;

    private static readonly Dictionary<string, (string? Request, string Response)> Examples = new(StringComparer.Ordinal)
    {
        ["ScoreBasket"] = (Basket, Score),
        ["ScoreBatch"] = ($$"""{"baskets": [{{Basket}}]}""", $$"""{"modelVersion": "3", "count": 1, "results": [{{Score}}]}"""),
        ["RecordLabels"] = (
            """[{"id": "app-000123", "fraudFlag": true, "source": "chargeback", "observedAt": "2026-11-20T09:30:00Z"}]""",
            """{"recorded": 1, "unchanged": 0}"""),
        ["Health"] = (null, """{"status": "healthy"}"""),
        ["HealthDetails"] = (null, """
            {"status": "healthy", "model": {"loaded": true, "version": "3", "loadedAt": "2026-11-21T08:00:00Z", "state": "ready"},
             "store": {"reachable": true, "description": "file store at .fraud", "checkedAt": "2026-11-21T08:00:05Z", "latencyMs": 0.4},
             "problems": []}
            """),
        ["GetModel"] = (null, """
            {"name": "basket-fraud", "version": "3", "trainedAt": "2026-11-21T07:58:00Z", "trainingRows": 20000, "fraudRate": 0.014,
             "metrics": {"pr_auc": 0.41, "roc_auc": 0.88}, "reviewThreshold": 0.2, "declineThreshold": 0.6, "featureCount": 64,
             "parentVersion": "2", "runId": "20261121-075800-train", "testRows": 1000,
             "metricsMeasuredOn": "metrics: this version's own test split (1000 of the 20000 baskets, never trained on); not comparable with another version's"}
            """),
        ["GetStats"] = (null, """
            {"scoring": {"windowSeconds": 60, "requestsPerSecond": 12.5, "baskets": 750, "flaggedRate": 0.016,
             "latencyP50Ms": 0.35, "latencyP99Ms": 1.2}, "modelVersion": "3", "at": "2026-11-21T08:01:00Z"}
            """),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is null || !Examples.TryGetValue(name, out var example))
        {
            return Task.CompletedTask;
        }

        if (example.Request is not null && operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var media in requestContent.Values.OfType<OpenApiMediaType>())
            {
                media.Example = JsonNode.Parse(example.Request);
            }
        }

        if (operation.Responses is null)
        {
            return Task.CompletedTask;
        }

        foreach (var (status, response) in operation.Responses)
        {
            var body = status switch
            {
                "200" => example.Response,
                "400" when name == "RecordLabels" => LabelProblem,
                "400" => Problem,
                _ => null,
            };
            if (body is null || response.Content is null)
            {
                continue;
            }

            foreach (var media in response.Content.Values.OfType<OpenApiMediaType>())
            {
                media.Example = JsonNode.Parse(body);
            }
        }

        return Task.CompletedTask;
    }
}
