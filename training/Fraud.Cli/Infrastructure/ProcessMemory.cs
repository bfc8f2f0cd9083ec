using System.Diagnostics;
using System.Globalization;

namespace Fraud.Cli.Infrastructure;

/// <summary>
/// Resident memory of a process as the kernel counts it: on Linux <c>VmRSS</c> (resident now) and <c>VmHWM</c> (the
/// high-water mark of <c>VmRSS</c> since the process started) from <c>/proc/&lt;pid&gt;/status</c>; elsewhere
/// <see cref="Process.WorkingSet64"/> and <see cref="Process.PeakWorkingSet64"/>, which .NET reads from the same
/// counters on Linux. Resident memory is what a Flex Consumption instance's memory size bounds: the managed heap,
/// native allocations, loaded code and touched file-backed pages, not the virtual address space.
/// </summary>
public static class ProcessMemory
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>Resident set now, in MiB; NaN when the process is gone.</summary>
    public static double RssMiB(int pid) => Read(pid, "VmRSS:", static p => p.WorkingSet64);

    /// <summary>Peak resident set since the process started, in MiB; NaN when the process is gone.</summary>
    public static double PeakRssMiB(int pid) => Read(pid, "VmHWM:", static p => p.PeakWorkingSet64);

    /// <summary>Peak resident set of this process so far, in MiB.</summary>
    public static double SelfPeakRssMiB() => PeakRssMiB(Environment.ProcessId);

    /// <summary>Resident set of this process now, in MiB.</summary>
    public static double SelfRssMiB() => RssMiB(Environment.ProcessId);

    /// <summary>Which counter the figures are: printed beside them so nobody has to guess.</summary>
    public static string Source => OperatingSystem.IsLinux() ? "VmRSS / VmHWM of /proc/<pid>/status" : "Process.WorkingSet64 / PeakWorkingSet64";

    private static double Read(int pid, string field, Func<Process, long> fallback)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
                {
                    if (line.StartsWith(field, StringComparison.Ordinal))
                    {
                        // "VmHWM:\t  123456 kB"
                        var number = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                        return long.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture) * 1024 / MiB;
                    }
                }

                return double.NaN; // a zombie: the memory map is gone
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return double.NaN;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Refresh();
            return fallback(process) / MiB;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return double.NaN;
        }
    }
}
