using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Hosting;

/// <summary>
/// The start-up failures a user causes and can fix (a port already taken, a setting refused), turned into one line
/// that says what to do. Anything else is a bug and keeps its stack trace.
/// </summary>
public static class StartupErrors
{
    /// <summary>
    /// Fails with one line when an address the handler is about to listen on is taken. Checked before the server
    /// starts because a bind failure inside the host is first logged as "Hosting failed to start" with a stack trace.
    /// Kestrel's own bind failure is still turned into the same line by <see cref="Describe"/> if the port is taken in
    /// between.
    /// </summary>
    public static void EnsureAddressesFree(HandlerMode mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        foreach (var url in mode.Urls)
        {
            if (url.Port <= 0)
            {
                continue;
            }

            var address = url.IsLoopback && !IPAddress.TryParse(url.Host.Trim('[', ']'), out _)
                ? IPAddress.Loopback
                : IPAddress.TryParse(url.Host.Trim('[', ']'), out var parsed) ? parsed : null;
            if (address is null)
            {
                continue;
            }

            var listener = new TcpListener(address, url.Port);
            try
            {
                listener.Start();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new HandlerConfigurationException(InUse(url.GetLeftPart(UriPartial.Authority)));
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    public static string? Describe(Exception ex) => ex switch
    {
        HandlerConfigurationException config => $"FraudFunctions cannot start: {config.Message}",
        OptionsValidationException options => $"FraudFunctions cannot start: {string.Join(" ", options.Failures)}",
        IOException { InnerException: AddressInUseException } io => $"FraudFunctions cannot start: {InUse(Address(io.Message))}",
        _ => null,
    };

    private static string InUse(string address) =>
        $"{address} is already in use (another handler, or `func start`?). Stop it, or choose another port: --urls http://127.0.0.1:7072 (or ASPNETCORE_URLS).";

    // Kestrel's message is "Failed to bind to address http://127.0.0.1:7071: address already in use."
    private static string Address(string message)
    {
        const string Prefix = "Failed to bind to address ";
        var start = message.IndexOf(Prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            return "the address";
        }

        var rest = message[(start + Prefix.Length)..];
        var end = rest.IndexOf(": ", StringComparison.Ordinal);
        return end < 0 ? rest.TrimEnd('.') : rest[..end];
    }
}
