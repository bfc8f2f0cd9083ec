using System.Diagnostics;
using Fraud.Testing;
using Infra.Tests.Reading;

namespace Infra.Tests;

// The postdeploy hook against a real store (a folder: the CLI's --store takes the same forms as in Azure).
public sealed class RegisterHookTests
{
    private static readonly string Script = Path.Combine(Repo.InfraFolder, "hooks", "register-model.sh");

    [Fact]
    public async Task RegistersAFirstModelIntoAnEmptyStoreAndLeavesItAloneOnTheNextDeploy()
    {
        using var store = new TempDirectory("fraud-hook-store");
        using var build = new TempDirectory("fraud-hook-build");
        var environment = new Dictionary<string, string>
        {
            ["FRAUD_STORE_URL"] = store.Path,
            ["FRAUD_BOOTSTRAP_ROWS"] = "3000",
            ["FRAUD_CLI_PUBLISH_ARGS"] = $"--artifacts-path {build.Path}",
            ["FRAUD_REGISTRY_ATTEMPTS"] = "1",
        };

        var first = await RunAsync(environment);
        Assert.True(first.ExitCode == 0, first.Log);
        Assert.Contains("registered the first model", first.Log, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.EnumerateFiles(store.Path, "model.json", SearchOption.AllDirectories));

        var second = await RunAsync(environment);
        Assert.True(second.ExitCode == 0, second.Log);
        Assert.Contains("already has a model", second.Log, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(store.Path, "model.json", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task FailsWithAMessageWhenProvisioningHasNotRun()
    {
        var result = await RunAsync(new Dictionary<string, string> { ["FRAUD_STORE_URL"] = string.Empty });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("FRAUD_STORE_URL is not set", result.Log, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash", [Script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
