using System.Reflection;
using Fraud.Cli.Infrastructure;

namespace Fraud.Cli.Tests;

/// <summary>
/// Runs the real <c>fraud</c> program in-process (its own entry point, so the same root command and error
/// handling as on the command line) and captures what it prints. Console streams are process-wide, so runs
/// are serialised; tests in this assembly can still run in parallel around them.
/// </summary>
public static class CliHarness
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Lazy<Func<string[], Task<int>>> EntryPoint = new(FindEntryPoint);

    /// <summary>Runs <c>fraud args...</c>; returns the exit code and everything written to stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await Gate.WaitAsync();
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var (oldOut, oldError, oldPlain) = (Console.Out, Console.Error, CliConsole.ForcePlain);
        try
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            CliConsole.ForcePlain = true;
            var exitCode = await EntryPoint.Value(args);
            return (exitCode, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
            CliConsole.ForcePlain = oldPlain;
            Gate.Release();
        }
    }

    // Top-level statements compile to an async <Main>$ beside the synchronous entry point the runtime calls.
    private static Func<string[], Task<int>> FindEntryPoint()
    {
        var entry = typeof(CliException).Assembly.EntryPoint
            ?? throw new InvalidOperationException("The fraud assembly has no entry point.");
        var asyncMain = entry.DeclaringType?.GetMethod("<Main>$", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static);
        if (asyncMain is not null && asyncMain.ReturnType == typeof(Task<int>))
        {
            return args => (Task<int>)asyncMain.Invoke(null, [args])!;
        }

        return args => Task.Run(() => (int)entry.Invoke(null, [args])!);
    }
}
