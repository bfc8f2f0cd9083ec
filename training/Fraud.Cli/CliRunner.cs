using System.CommandLine;

namespace Fraud.Cli;

/// <summary>
/// A failure the user can act on: printed as one line on standard error, exit code 1 (or the one given).
/// Throw it from a verb for bad input, missing files and the like; anything else is a bug and prints its type too.
/// </summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Runs the parsed command and turns failures into a one-line message and a non-zero exit code.</summary>
public static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        try
        {
            var parse = root.Parse(args);
            // Our own handler below prints one line instead of a stack trace.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("error: cancelled");
            return 130;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidDataException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }
}
