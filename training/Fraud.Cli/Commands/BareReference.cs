using System.CommandLine;
using System.Diagnostics;
using Fraud.Baskets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fraud.Cli.Commands;

/// <summary>
/// The reference that <c>fraud loadtest --bare</c> measures the handler against: a bare Kestrel minimal-API endpoint
/// that parses the same basket JSON (the same source-generated contract) and answers a small JSON object, and nothing
/// else (no model, no log, no telemetry). It runs in its own process, like the handler, so the load generator shares
/// the two cores with it exactly as it does with the handler.
/// </summary>
internal static class BareReference
{
    public const string VerbName = "loadtest-bare-server";

    /// <summary>The hidden verb that runs the reference server until stdin closes; it prints its URL first.</summary>
    public static Command Create()
    {
        var command = new Command(VerbName, "Internal: the bare reference endpoint of fraud loadtest --bare.") { Hidden = true };
        command.SetAction(async (_, ct) =>
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using var app = builder.Build();
            app.MapPost("/api/score", async (HttpRequest request, CancellationToken token) =>
            {
                var basket = await request.ReadFromJsonAsync(BasketJsonContext.Default.Basket, token);
                return basket is null ? Results.BadRequest() : Results.Json(new BareAnswer(basket.Id, basket.Items.Count), BareJson.Default.BareAnswer);
            });
            app.MapGet("/", () => "ok");
            await app.StartAsync(ct);
            Console.WriteLine(app.Urls.First());
            Console.Out.Flush();
            // The parent holds stdin open for as long as it needs the server.
            await Console.In.ReadToEndAsync(ct);
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>Starts the reference in a child process of this same program and returns it with its base URL.</summary>
    public static async Task<(Process Process, Uri Url)> StartAsync(CancellationToken ct)
    {
        var entry = Environment.GetCommandLineArgs()[0];
        var start = entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { ArgumentList = { entry, VerbName } }
            : new ProcessStartInfo(Environment.ProcessPath ?? entry) { ArgumentList = { VerbName } };
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        // The same runtime settings as the handler's defaults (workstation, concurrent GC), so the ratio compares code.
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new CliException("could not start the bare reference server");
        var line = await process.StandardOutput.ReadLineAsync(ct);
        if (line is null || !Uri.TryCreate(line.Trim(), UriKind.Absolute, out var url))
        {
            process.Kill();
            throw new CliException($"the bare reference server did not start ({line ?? "no output"})");
        }

        return (process, new Uri(url.GetLeftPart(UriPartial.Authority) + "/"));
    }
}

internal sealed record BareAnswer(string Id, int Items);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(BareAnswer))]
internal sealed partial class BareJson : System.Text.Json.Serialization.JsonSerializerContext;
