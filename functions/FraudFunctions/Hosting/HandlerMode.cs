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
    /// Reads the mode from configuration. Under the host the handler binds loopback on the given port and nothing else.
    /// Standalone it honours <c>urls</c> (ASPNETCORE_URLS / --urls) but refuses a non-loopback address unless an API key
    /// is configured, so an unauthenticated scorer is never exposed to the network by accident.
    /// </summary>
    public static HandlerMode FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var port = configuration[PortVariable];
        if (!string.IsNullOrWhiteSpace(port))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{PortVariable} must be a TCP port number; got '{port}'.");
            }

            return new HandlerMode(true, [new Uri($"http://127.0.0.1:{value.ToString(CultureInfo.InvariantCulture)}")]);
        }

        var urls = (configuration["urls"] ?? DefaultStandaloneUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => new Uri(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal)))
            .ToList();
        var hasKey = !string.IsNullOrEmpty(configuration[$"{FraudOptions.Section}:{nameof(FraudOptions.ApiKey)}"]);
        foreach (var url in urls)
        {
            if (!hasKey && !IsLoopback(url))
            {
                throw new InvalidOperationException(
                    $"Refusing to listen on {url} without an API key: set Fraud__ApiKey, or listen on 127.0.0.1 only.");
            }
        }

        return new HandlerMode(false, urls);
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
