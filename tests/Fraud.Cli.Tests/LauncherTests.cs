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
}
