using System.Diagnostics;
using System.Globalization;

namespace Fraud.Cli.Infrastructure;

/// <summary>
/// Where verbs write and whether they may draw live progress. Verbs print results with
/// <see cref="WriteLine"/> (standard output, so pipes and tests see them); fancy output is used only
/// on an interactive terminal.
/// </summary>
public static class CliConsole
{
    /// <summary>
    /// Forces plain output (no live progress bars) even on a terminal; the in-process test harness sets it.
    /// Live bars are also off whenever standard output is redirected or <c>NO_COLOR</c>/<c>CI</c> is set.
    /// </summary>
    public static bool ForcePlain { get; set; }

    /// <summary>True when live progress may be drawn.</summary>
    public static bool IsInteractive =>
        !ForcePlain
        && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("NO_COLOR") is null
        && Environment.GetEnvironmentVariable("CI") is null;

    public static void WriteLine(string line) => Console.Out.WriteLine(line);

    /// <summary>Formats with the invariant culture, whatever the machine's locale.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The closing line of a measuring verb: wall time, CPU time of this process (a fairer figure on a shared
    /// machine) and peak working set.
    /// </summary>
    public static string CostLine(TimeSpan elapsed)
    {
        using var process = Process.GetCurrentProcess();
        return Invariant($"elapsed {elapsed.TotalSeconds:F2} s, process CPU {process.TotalProcessorTime.TotalSeconds:F2} s, peak working set {PeakWorkingSetMiB():F0} MiB");
    }

    /// <summary>The peak working set of this process so far, in MiB, for figures printed by measuring verbs.</summary>
    public static double PeakWorkingSetMiB()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
