namespace Fraud.Cli.Infrastructure;

/// <summary>Checks shared by verbs that read or write files, each failing with a one-line <see cref="CliException"/>.</summary>
public static class CliOptions
{
    /// <summary>The full path of an input file that must exist.</summary>
    public static string ExistingFile(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliException($"{option} is required.");
        }

        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CliException($"{option}: file not found: {path}");
        }

        return full;
    }

    /// <summary>The full path of an output folder, created when missing; fails when a file has that name.</summary>
    public static string OutputDirectory(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliException($"{option} is required.");
        }

        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new CliException($"{option}: {path} is a file, not a folder.");
        }

        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{option}: cannot create folder {path}: {ex.Message}");
        }

        return full;
    }
}
