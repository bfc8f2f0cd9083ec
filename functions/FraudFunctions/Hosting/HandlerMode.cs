using System.Globalization;
using System.Net;

namespace FraudFunctions.Hosting;

/// <summary>
/// Whether the app runs under the Functions host (which sets <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>) or standalone,
/// and so where Kestrel listens.
/// </summary>
public sealed record HandlerMode(bool UnderHost, IReadOnlyList<Uri> Urls)
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The standalone address, chosen to match <c>func start</c> so URLs in the README work either way.</summary>
    public const string DefaultStandaloneUrl = "http://127.0.0.1:7071";

    /// <summary>
    /// Reads the mode. Under the host the handler binds loopback on the given port and nothing else.
    /// Standalone it honours <c>urls</c> (ASPNETCORE_URLS / --urls) and <c>Kestrel:Endpoints:*:Url</c>
    /// (Kestrel__Endpoints__Http__Url), but refuses a non-loopback address unless an API key is configured, so an
    /// unauthenticated scorer is never exposed to the network by accident.
    /// </summary>
    public static HandlerMode FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Kestrel's own endpoint configuration replaces UseUrls entirely ("Overriding address(es)"), so it must pass the
        // same guard as --urls; otherwise one environment variable opens the port to the network without a key.
        var kestrelEndpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => (Name: e.Key, Url: e["Url"]))
            .ToList();
        var port = configuration[PortVariable];
        if (!string.IsNullOrWhiteSpace(port))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            {
                throw new HandlerConfigurationException($"{PortVariable} must be a TCP port number; got '{port}'.");
            }

            if (kestrelEndpoints.Count > 0)
            {
                throw new HandlerConfigurationException(
                    $"Under the Functions host the handler listens only on 127.0.0.1:{value.ToString(CultureInfo.InvariantCulture)}; remove Kestrel__Endpoints__{kestrelEndpoints[0].Name}__* from the app settings.");
            }

            return new HandlerMode(true, [new Uri($"http://127.0.0.1:{value.ToString(CultureInfo.InvariantCulture)}")]);
        }

        var urls = ParseUrls(configuration["urls"] ?? DefaultStandaloneUrl);
        var hasKey = !string.IsNullOrEmpty(configuration[$"{FraudOptions.Section}:{nameof(FraudOptions.ApiKey)}"]);
        var endpointUrls = new List<Uri>();
        foreach (var (name, url) in kestrelEndpoints)
        {
            if (string.IsNullOrWhiteSpace(url))
            {
                throw new HandlerConfigurationException($"Kestrel__Endpoints__{name} has no Url; set Kestrel__Endpoints__{name}__Url or remove it.");
            }

            endpointUrls.AddRange(ParseUrls(url));
        }

        foreach (var url in urls.Concat(endpointUrls))
        {
            if (!hasKey && !IsLoopback(url))
            {
                throw new HandlerConfigurationException(
                    $"Refusing to listen on {url} without an API key: set Fraud__ApiKey, or listen on 127.0.0.1 only.");
            }
        }

        // Where Kestrel really listens: its endpoint configuration when present, else the URLs.
        return new HandlerMode(false, endpointUrls.Count > 0 ? endpointUrls : urls);
    }

    private static List<Uri> ParseUrls(string value)
    {
        var urls = new List<Uri>();
        foreach (var raw in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var text = raw.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
            {
                throw new HandlerConfigurationException($"'{raw}' is not a URL to listen on (for example http://127.0.0.1:7071).");
            }

            urls.Add(url);
        }

        return urls;
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>A setting that makes the handler refuse to start; Program prints its message as one line and exits 1.</summary>
public sealed class HandlerConfigurationException : InvalidOperationException
{
    public HandlerConfigurationException()
    {
    }

    public HandlerConfigurationException(string message)
        : base(message)
    {
    }

    public HandlerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
