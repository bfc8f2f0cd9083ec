using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FraudFunctions.Tests;

/// <summary>
/// The handler with its store swapped for a test's own (a folder or an Azurite connection string) and any other
/// settings a test needs. One instance per test where state matters.
/// </summary>
public sealed class HandlerFactory(string storage, params (string Key, string? Value)[] settings) : WebApplicationFactory<Program>
{
    public string Storage { get; } = storage;

    /// <summary>Replaces services after the app registered its own (a test's seam, e.g. a scorer that fails).</summary>
    public Action<IServiceCollection>? ReplaceServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("FraudStorage", Storage);
        builder.UseSetting("Fraud:BootstrapTrainingRows", "0");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (ReplaceServices is not null)
        {
            builder.ConfigureServices(ReplaceServices);
        }
    }
}
