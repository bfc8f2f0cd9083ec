using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Hosting;

/// <summary>
/// Standalone mode only: when <c>Fraud__ApiKey</c> is set, every API call must carry it in <c>x-api-key</c>.
/// Under the Functions host the host's function keys guard HTTP, and the handler only listens on loopback.
/// </summary>
public sealed class ApiKeyFilter(IOptions<FraudOptions> options, HandlerMode mode) : IEndpointFilter
{
    public const string Header = "x-api-key";

    private readonly byte[]? _expected = mode.UnderHost || string.IsNullOrEmpty(options.Value.ApiKey)
        ? null
        : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_expected is null)
        {
            return next(context);
        }

        var sent = context.HttpContext.Request.Headers[Header];

        // Comparing fixed-length hashes in constant time leaks neither the key nor its length.
        if (sent.Count == 1 && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(sent[0] ?? string.Empty))))
        {
            return next(context);
        }

        return ValueTask.FromResult<object?>(TypedResults.Problem(
            title: "A valid API key is required.",
            detail: $"Send the key configured in Fraud__ApiKey in the {Header} header.",
            statusCode: StatusCodes.Status401Unauthorized));
    }
}
