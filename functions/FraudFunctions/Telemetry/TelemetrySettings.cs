namespace FraudFunctions.Telemetry;

/// <summary>The telemetry destinations read from configuration; none of them is required.</summary>
public sealed record TelemetrySettings(string? ApplicationInsightsConnectionString, ApplicationInsightsAuthentication? Authentication, Uri? OtlpEndpoint, bool OtlpHttp = false)
{
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtlpProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>Reads the settings; a malformed OTLP endpoint fails the start with a message naming the setting.</summary>
    public static TelemetrySettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connection = NullIfBlank(configuration[ConnectionStringKey]);
        var authentication = ApplicationInsightsAuthentication.Parse(NullIfBlank(configuration[AuthenticationStringKey]));
        Uri? otlp = null;
        if (NullIfBlank(configuration[OtlpEndpointKey]) is { } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out otlp) || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"{OtlpEndpointKey} must be an absolute http(s) URL.");
            }
        }

        // The OpenTelemetry default is gRPC; "http/protobuf" selects OTLP over HTTP.
        var http = string.Equals(NullIfBlank(configuration[OtlpProtocolKey]), "http/protobuf", StringComparison.OrdinalIgnoreCase);
        return new TelemetrySettings(connection, authentication, otlp, http);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>: <c>Authorization=AAD</c> asks for Entra ID (managed identity)
/// authentication, with <c>ClientId=&lt;id&gt;</c> for a user-assigned identity; without it, system-assigned.
/// </summary>
public sealed record ApplicationInsightsAuthentication(string? ClientId)
{
    /// <summary>The managed identity credential ingestion tokens come from (the component has local auth off).</summary>
    public Azure.Core.TokenCredential CreateCredential() => new Azure.Identity.ManagedIdentityCredential(
        ClientId is null ? Azure.Identity.ManagedIdentityId.SystemAssigned : Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(ClientId));

    public static ApplicationInsightsAuthentication? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }

        string? clientId = null;
        var aad = false;
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var val = part[(eq + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                aad = val.Equals("AAD", StringComparison.OrdinalIgnoreCase);
            }
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && val.Length > 0)
            {
                clientId = val;
            }
        }

        return aad ? new ApplicationInsightsAuthentication(clientId) : null;
    }
}
