using System.Diagnostics;

namespace Fraud.Testing;

/// <summary>
/// A folder under tests/ whose package.json and package-lock.json pin an npm tool the tests run (Azurite, the Redocly
/// CLI). When the tool is not installed yet, <c>npm ci</c> installs exactly the locked versions there, so a plain
/// <c>dotnet test</c> works on a fresh clone.
/// </summary>
public static class NpmFolder
{
    /// <summary>Runs <c>npm ci</c> in <paramref name="folder"/> unless <paramref name="marker"/> (a file the package installs) exists.</summary>
    public static void EnsureInstalled(string folder, string marker, string what)
    {
        if (File.Exists(marker))
        {
            return;
        }

        // Several test assemblies may start at once: one installs, the others wait on the lock file.
        using var gate = AcquireLock(Path.Combine(folder, ".install.lock"));
        if (File.Exists(marker))
        {
            return;
        }

        var npm = new ProcessStartInfo("npm", "ci --no-audit --no-fund --ignore-scripts")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(npm) ?? throw new InvalidOperationException($"Could not start npm to install {what}.");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(marker))
        {
            throw new InvalidOperationException($"npm ci in {folder} failed with exit code {process.ExitCode}: {stderr.Result}");
        }
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
        }
    }
}
