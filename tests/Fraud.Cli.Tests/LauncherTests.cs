using System.Diagnostics;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

/// <summary>The repository's <c>./fraud</c> launcher, run as a user runs it: from another folder (issue 19, item 12).</summary>
public sealed class LauncherTests
{
    [Fact]
    public async Task TheLauncherResolvesRelativePathsAgainstTheCurrentFolder()
    {
        using var folder = new TempDirectory("fraud-launcher");
        var start = new ProcessStartInfo("bash", [RepositoryPaths.Combine("fraud"), "generate", "--rows", "40", "--seed", "3", "--output", "relative-out"])
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(15));

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.True(File.Exists(folder.File(Path.Combine("relative-out", "X.csv"))), await stdout);
        Assert.False(Directory.Exists(RepositoryPaths.Combine("relative-out")));
    }

    /// <summary>
    /// The README's other way: pack the CLI and install it as a .NET tool from the repository, then run <c>fraud</c> from
    /// another folder. A tool path stands in for <c>--global</c> so the test changes nothing outside its folder.
    /// </summary>
    [Fact]
    public async Task InstallsAsADotnetToolFromThePackedRepositoryAndRuns()
    {
        using var folder = new TempDirectory("fraud-tool");
        var packages = folder.File("tool-packages");
        var tools = folder.File("tools");

        await RunAsync(RepositoryPaths.RepositoryRoot, "dotnet", "pack", RepositoryPaths.Combine("training", "Fraud.Cli"), "-c", "Release", "-o", packages, "-nodeReuse:false");
        await RunAsync(folder.Path, "dotnet", "tool", "install", "--tool-path", tools, "Fraud.Cli", "--add-source", packages);
        var stdout = await RunAsync(folder.Path, Path.Combine(tools, "fraud"), "generate", "--rows", "40", "--seed", "3", "--output", "tool-out");

        Assert.True(File.Exists(folder.File(Path.Combine("tool-out", "X.csv"))), stdout);
    }

    private static async Task<string> RunAsync(string workingDirectory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(15));
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stdout}{await stderr}");
        return await stdout;
    }
}
