using System.Diagnostics;

namespace Fraud.Testing;

/// <summary>Debian's chromium for the browser tests (Playwright's own browser download is not reachable here).</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Flags for a headless run that reaches nothing but the page it is given.</summary>
    public static readonly string[] Arguments =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    /// <summary>Installs Debian's chromium package when it is missing (the tests run as root on Debian).</summary>
    public static void EnsureInstalled()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        Run("apt-get", "update");
        Run("apt-get", "install -y chromium");
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException("Debian's chromium package did not install /usr/bin/chromium.");
        }
    }

    private static void Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed: {error.Result}");
        }
    }
}
