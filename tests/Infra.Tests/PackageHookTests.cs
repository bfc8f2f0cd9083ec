using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fraud.Testing;
using Infra.Tests.Reading;

namespace Infra.Tests;

// The package azd deploys, built for real by the prepackage hook and started the way the Functions host starts it.
public sealed class PackageHookTests
{
    [Fact]
    public async Task ThePackageHookPublishesAFunctionAppTheHostCanStart()
    {
        using var output = new TempDirectory("fraud-package");
        using var build = new TempDirectory("fraud-package-build");
        using var store = new TempDirectory("fraud-package-store");
        var script = Path.Combine(Repo.InfraFolder, "hooks", "package-api.sh");

        // Its own artifacts folder: the publish neither touches the clone's obj/bin nor races another build.
        var (exitCode, log) = await RunAsync("bash", [script, output.Path, "--artifacts-path", build.Path], TimeSpan.FromMinutes(15));

        Assert.True(exitCode == 0, log);
        var executable = Path.Combine(output.Path, "FraudFunctions");
        Assert.True(File.Exists(executable), "The handler executable named in host.json was not published.");
        Assert.True(Repo.IsExecutable(executable), "The handler lost its execute bit.");
        Assert.Equal(File.ReadAllText(Path.Combine(Repo.HandlerFolder, "host.json")), File.ReadAllText(Path.Combine(output.Path, "host.json")));
        foreach (var (name, _) in Repo.Functions())
        {
            Assert.Equal(
                File.ReadAllText(Path.Combine(Repo.HandlerFolder, name, "function.json")),
                File.ReadAllText(Path.Combine(output.Path, name, "function.json")));
        }

        Assert.False(File.Exists(Path.Combine(output.Path, "local.settings.json")));

        // The host sets FUNCTIONS_CUSTOMHANDLER_PORT and pings GET / until the handler answers.
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = output.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["FraudStorage"] = store.Path;
        start.Environment["Fraud__BootstrapTrainingRows"] = "0";
        using var handler = Process.Start(start)!;
        handler.OutputDataReceived += (_, _) => { };
        handler.ErrorDataReceived += (_, _) => { };
        handler.BeginOutputReadLine();
        handler.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(5) };
            var ping = await PingAsync(http, handler, TimeSpan.FromSeconds(60));

            Assert.Equal(HttpStatusCode.OK, ping);
            using var health = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
            Assert.NotEqual(HttpStatusCode.NotFound, health.StatusCode);
        }
        finally
        {
            handler.Kill(entireProcessTree: true);
            await handler.WaitForExitAsync();
        }
    }

    private static async Task<HttpStatusCode> PingAsync(HttpClient http, Process handler, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(handler.HasExited, $"The handler exited with code {(handler.HasExited ? handler.ExitCode : 0)} before answering.");
            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
                return response.StatusCode;
            }
            catch (HttpRequestException) when (clock.Elapsed < limit)
            {
                await Task.Delay(250);
            }
            catch (TaskCanceledException) when (clock.Elapsed < limit)
            {
                await Task.Delay(250);
            }
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string file, string[] arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {limit}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
