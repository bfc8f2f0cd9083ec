using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FraudFunctions.Http;

/// <summary>
/// Reads a JSON request body under a size limit. Deserialisation errors become a 400 naming the JSON path of the bad
/// value (<c>items[0].cashPrice</c>), never a 500.
/// </summary>
public static class JsonBody
{
    /// <summary>Deserialises the body, or returns the ProblemDetails result to send instead.</summary>
    public static async ValueTask<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, long maxBytes, string? pathPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, Problems.NotJson(contentType));
        }

        if (request.ContentLength > maxBytes)
        {
            return (default, Problems.TooLarge(maxBytes));
        }

        // Kestrel enforces the limit for chunked bodies too; the feature is absent under the test server.
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            return value is null ? (default, Problems.Invalid(pathPrefix ?? "body", "A JSON value is required, not null.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (default, Problems.Invalid(FieldFromPath(ex.Path, pathPrefix), Describe(ex)));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Problems.TooLarge(maxBytes));
        }
    }

    /// <summary>Turns System.Text.Json's <c>$.items[0].cashPrice</c> into the API's field name.</summary>
    public static string FieldFromPath(string? path, string? fallback = null)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return fallback ?? "body";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? fallback ?? "body" : field;
    }

    // The exception text repeats the path and line numbers; the caller gets a short reason plus the field.
    private static string Describe(JsonException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return text.Contains("could not be converted", StringComparison.Ordinal)
            ? "The value has the wrong type or is not valid JSON for this field."
            : text;
    }
}
