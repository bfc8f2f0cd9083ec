using FraudFunctions.Hosting;
using FraudFunctions.Http;

namespace FraudFunctions.OpenApi;

/// <summary>Endpoint metadata: the body is read with <see cref="JsonBody"/> against this shape.</summary>
public sealed record RequestContract(RequestShape Shape);

/// <summary>Endpoint metadata: a boolean query parameter the endpoint reads itself.</summary>
public sealed record QueryFlag(string Name, bool Default, string Description);

/// <summary>
/// Endpoint metadata: the endpoint needs a key (the Functions host's function key, or <c>x-api-key</c> standalone).
/// Added by <see cref="ContractEndpoints.RequireKey"/> together with the filter that checks it, so the document's
/// security and the behaviour come from one call.
/// </summary>
public sealed class KeyRequired
{
    public static KeyRequired Instance { get; } = new();

    private KeyRequired()
    {
    }
}

public static class ContractEndpoints
{
    /// <summary>Documents the endpoint's body from the shape its handler validates it against.</summary>
    public static RouteHandlerBuilder AcceptsContract(this RouteHandlerBuilder builder, RequestShape shape) =>
        builder.WithMetadata(new RequestContract(shape));

    public static RouteHandlerBuilder AcceptsFlag(this RouteHandlerBuilder builder, string name, bool defaultValue, string description) =>
        builder.WithMetadata(new QueryFlag(name, defaultValue, description));

    /// <summary>Every endpoint of the group needs the key: checked by <see cref="ApiKeyFilter"/>, declared in the OpenAPI document.</summary>
    public static RouteGroupBuilder RequireKey(this RouteGroupBuilder group) =>
        group.RequireApiKey().WithMetadata(KeyRequired.Instance);
}
