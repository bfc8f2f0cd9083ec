using Spectre.Console;

namespace Fraud.Cli.Infrastructure;

/// <summary>
/// A progress bar for long work (Spectre.Console) that any verb can reuse. The work reports a running count
/// through <see cref="IProgress{T}"/>; on a terminal a live bar shows it, otherwise nothing is drawn and the
/// verb's own result lines are the only output, so redirected output stays clean.
/// </summary>
public static class CliProgress
{
    /// <summary>Runs CPU-bound <paramref name="work"/> on the thread pool under a bar counting up to <paramref name="total"/>.</summary>
    public static Task<T> RunAsync<T>(string description, long total, Func<IProgress<long>, CancellationToken, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(description, total, (progress, ct) => Task.Run(() => work(progress, ct), ct), cancellationToken);
    }

    /// <summary>Runs asynchronous <paramref name="work"/> under a bar counting up to <paramref name="total"/> (0 or less: an indeterminate bar).</summary>
    public static async Task<T> RunAsync<T>(string description, long total, Func<IProgress<long>, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!CliConsole.IsInteractive)
        {
            return await work(NoProgress.Instance, cancellationToken);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: total > 0 ? total : 1);
                task.IsIndeterminate = total <= 0;
                var result = await work(new TaskProgress(task), cancellationToken);
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    // Sets the value directly: System.Progress<T> would post callbacks out of order to the thread pool.
    private sealed class TaskProgress(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = Math.Min(value, task.MaxValue);
    }

    private sealed class NoProgress : IProgress<long>
    {
        public static readonly NoProgress Instance = new();

        public void Report(long value)
        {
        }
    }
}
