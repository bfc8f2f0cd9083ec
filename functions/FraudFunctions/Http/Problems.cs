using Fraud.Baskets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FraudFunctions.Http;

/// <summary>The ProblemDetails answers shared by every endpoint, so each error names the field the caller must fix.</summary>
public static class Problems
{
    // Every error is a ProblemHttpResult so that endpoints can declare Results<Ok<T>, ProblemHttpResult>.

    /// <summary>400 listing each invalid field (JSON names, e.g. <c>items[3].cashPrice</c>) in <c>errors</c>.</summary>
    public static ProblemHttpResult Invalid(IReadOnlyList<ValidationError> errors, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var byField = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var group in errors.GroupBy(e => Join(prefix, e.Field), StringComparer.Ordinal))
        {
            byField[group.Key] = group.Select(e => e.Message).ToArray();
        }

        var first = errors.Count > 0 ? $"{Join(prefix, errors[0].Field)}: {errors[0].Message}" : "The request is not valid.";
        return TypedResults.Problem(new HttpValidationProblemDetails(byField)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Detail = first,
        });
    }

    /// <summary>400 for a single field.</summary>
    public static ProblemHttpResult Invalid(string field, string message) => Invalid([new ValidationError(field, message)]);

    /// <summary>503 while no champion model is loaded.</summary>
    public static ProblemHttpResult NoModel(string? reason) => TypedResults.Problem(
        title: "No model is loaded yet.",
        detail: reason ?? "The service has no champion model yet; register and promote one, then retry.",
        statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>413 when a body is over the endpoint's limit.</summary>
    public static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(
        title: "The request body is too large.",
        detail: $"This endpoint accepts at most {limit} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>
    /// Fills in the bodies ASP.NET Core writes itself: routing answers 415 for a declared non-JSON content type before
    /// an endpoint runs, and that answer must say what to send as well as ours does.
    /// </summary>
    public static void Explain(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
        {
            var contentType = context.HttpContext.Request.ContentType;
            context.ProblemDetails.Title = "The body must be JSON.";
            context.ProblemDetails.Detail = NotJsonDetail(contentType);
        }
    }

    /// <summary>415 for a body that is not JSON.</summary>
    public static ProblemHttpResult NotJson(string? contentType) => TypedResults.Problem(
        title: "The body must be JSON.",
        detail: NotJsonDetail(contentType),
        statusCode: StatusCodes.Status415UnsupportedMediaType);

    /// <summary>503 when this instance is already doing as much of this work as it allows; the caller may retry.</summary>
    public static ProblemHttpResult Busy(string detail) => TypedResults.Problem(
        title: "Too many requests of this kind in progress.",
        detail: detail,
        statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>503 for a store the service cannot reach right now; the caller may retry.</summary>
    public static ProblemHttpResult StoreUnavailable(string detail) => TypedResults.Problem(
        title: "The store is unavailable.",
        detail: detail,
        statusCode: StatusCodes.Status503ServiceUnavailable);

    private static string NotJsonDetail(string? contentType) => string.IsNullOrEmpty(contentType)
        ? "Send the body as JSON with the header Content-Type: application/json (the request had no Content-Type)."
        : $"Send the body as UTF-8 JSON with the header Content-Type: application/json (the request said '{Shorten(contentType)}').";

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static string Join(string? prefix, string field) =>
        string.IsNullOrEmpty(prefix) ? field : field.StartsWith('[') ? prefix + field : $"{prefix}.{field}";
}
