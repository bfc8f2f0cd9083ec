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

    /// <summary>True when requests must carry the key (standalone with <c>Fraud__ApiKey</c> set).</summary>
    public bool Enabled => _expected is not null;

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

/// <summary>Registration of <see cref="ApiKeyFilter"/> on endpoints.</summary>
public static class ApiKeyFilterExtensions
{
    /// <summary>
    /// Checks the key on every endpoint of <paramref name="builder"/> when one is needed, and adds nothing at all when
    /// none is (under the Functions host, or standalone without <c>Fraud__ApiKey</c>): a factory that hands back the
    /// endpoint's own invocation unchanged lets ASP.NET Core skip the filter pipeline (boxed arguments, an invocation
    /// context and a result awaited as object on every request; docs/performance.md, "Fifth round").
    /// </summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = context.ApplicationServices.GetRequiredService<ApiKeyFilter>();
            return filter.Enabled ? invocation => filter.InvokeAsync(invocation, next) : next;
        });
}
