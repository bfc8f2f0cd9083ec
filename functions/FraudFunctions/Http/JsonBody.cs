using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace FraudFunctions.Http;

/// <summary>
/// Reads a JSON request body under a size limit and checks it against the endpoint's <see cref="RequestShape"/> before
/// deserialising it, so a missing, unknown, repeated or mistyped field becomes a 400 naming its JSON path
/// (<c>items[0].cashPrice</c>), never a silent default or a 500.
/// </summary>
public static class JsonBody
{
    /// <summary>Deserialises the body, or returns the ProblemDetails result to send instead.</summary>
    /// <remarks>
    /// The body is read through Kestrel's pipe until it is complete and parsed where it lies (one segment, the usual
    /// case for a basket) or from one pooled copy: nothing per request is allocated for the body itself. Reading it
    /// into a growing array allocated 66 KB per 2 KB basket (docs/performance.md, the 2026-12-01 trace).
    /// </remarks>
    public static async ValueTask<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, RequestShape shape, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(shape);
        if (!IsJson(request.ContentType))
        {
            return (default, Problems.NotJson(request.ContentType));
        }

        if (request.ContentLength > maxBytes)
        {
            return (default, Problems.TooLarge(maxBytes));
        }

        EnvelopeBody.LimitBodySize(request, maxBytes);
        var reader = request.BodyReader;
        ReadResult result;
        try
        {
            while (true)
            {
                result = await reader.ReadAsync(request.HttpContext.RequestAborted);
                if (result.Buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(result.Buffer.End);
                    return (default, Problems.TooLarge(maxBytes));
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }

                // Nothing consumed, everything seen: the next read returns once more of the body has arrived.
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Problems.TooLarge(maxBytes));
        }

        try
        {
            return Parse(result.Buffer, typeInfo, shape);
        }
        finally
        {
            reader.AdvanceTo(result.Buffer.End);
        }
    }

    private static (T? Value, ProblemHttpResult? Problem) Parse<T>(in ReadOnlySequence<byte> body, JsonTypeInfo<T> typeInfo, RequestShape shape)
    {
        if (body.IsSingleSegment)
        {
            return Parse(body.FirstSpan, typeInfo, shape);
        }

        var length = checked((int)body.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(rented);
            return Parse(rented.AsSpan(0, length), typeInfo, shape);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static (T? Value, ProblemHttpResult? Problem) Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> typeInfo, RequestShape shape)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            // Utf8JsonReader only notices invalid UTF-8 inside a string when the string is read (a 500 in the fuzz).
            return (default, Problems.Invalid("body", "The body is not valid UTF-8."));
        }

        var errors = RequestValidator.Validate(body, shape);
        if (errors.Count > 0)
        {
            return (default, Problems.Invalid(errors));
        }

        try
        {
            var value = JsonSerializer.Deserialize(body, typeInfo);
            return value is null ? (default, Problems.Invalid("body", $"The body must be {shape.Noun}, not null.")) : (value, null);
        }
        catch (JsonException ex)
        {
            // The shape check passed, so this is a value the type cannot hold; say where, not what the parser thought.
            return (default, Problems.Invalid(FieldFromPath(ex.Path), "The value does not fit this field."));
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") in a string the validator did not read as text.
            return (default, Problems.Invalid("body", "A text value is not valid Unicode (a lone \\uD800-\\uDFFF escape)."));
        }
    }

    /// <summary>
    /// True for <c>application/json</c> and any <c>application/*+json</c> type, in UTF-8 (the JSON default) when a
    /// charset is given. A missing content type is refused too: a body the client did not call JSON is not read as JSON.
    /// </summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType.AsSpan();
        var isJson = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        var charset = media.Charset;
        return isJson && (charset.Length == 0 || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
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
}
