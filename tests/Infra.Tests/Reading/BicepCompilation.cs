using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests.Reading;

/// <summary>One diagnostic of the Bicep compiler or its linter, with the path relative to infra/.</summary>
public sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line}): {Level} {Code}: {Message}";
}

/// <summary>
/// Every template under infra/ compiled once per test run by the real Bicep CLI (Azure.Bicep.CommandLine.linux-x64,
/// fetched by PackageDownload): one <c>bicep build --pattern</c> process over a copy of infra/ (the compiler runs
/// the linter with infra/bicepconfig.json as part of the build), shared by every test. The copy also holds a small
/// probe template that breaks a linter rule on purpose, so a test can prove the linter really ran with the
/// repository's configuration: a linter that silently stopped running would otherwise look like a clean build.
/// </summary>
public sealed partial class BicepCompilation
{
    /// <summary>Folder of the probe template inside the copy; its diagnostics are kept apart.</summary>
    public const string ProbeFolder = "linter-probe";

    private static readonly Lazy<BicepCompilation> Shared = new(Compile, LazyThreadSafetyMode.ExecutionAndPublication);

    private BicepCompilation(int exitCode, IReadOnlyDictionary<string, JsonObject> templates, IReadOnlyList<BicepDiagnostic> diagnostics, string output)
    {
        ExitCode = exitCode;
        Templates = templates;
        Diagnostics = diagnostics;
        Output = output;
    }

    /// <summary>The compilation of the repository's infra/ folder.</summary>
    public static BicepCompilation Current => Shared.Value;

    public int ExitCode { get; }

    /// <summary>ARM JSON of each template, keyed by its .bicep path relative to infra/ with '/' separators.</summary>
    public IReadOnlyDictionary<string, JsonObject> Templates { get; }

    /// <summary>Every diagnostic, the probe's included (see <see cref="ProbeFolder"/>).</summary>
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; }

    /// <summary>What the compiler printed, for failure messages.</summary>
    public string Output { get; }

    /// <summary>The compiled template of one .bicep file.</summary>
    public ArmTemplate Template(string relativePath) =>
        Templates.TryGetValue(relativePath, out var json) ? new ArmTemplate(relativePath, json) : throw new KeyNotFoundException($"{relativePath} was not compiled.\n{Output}");

    /// <summary>The CLI inside the NuGet cache; the path is baked in at build time (Infra.Tests.csproj).</summary>
    public static string CliPath =>
        typeof(BicepCompilation).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;

    private static BicepCompilation Compile()
    {
        var work = Directory.CreateTempSubdirectory("infra-bicep-");
        try
        {
            var source = Path.Combine(work.FullName, "infra");
            var output = Path.Combine(work.FullName, "out");
            CopyTemplates(Repo.InfraFolder, source);
            Directory.CreateDirectory(Path.Combine(source, ProbeFolder));
            File.WriteAllText(Path.Combine(source, ProbeFolder, "probe.bicep"), "@description('Never used: no-unused-params must report it.')\nparam unusedOnPurpose string\n");

            var cli = CliPath;
            if (!File.Exists(cli))
            {
                throw new FileNotFoundException($"The Bicep CLI is not at {cli}: restore tests/Infra.Tests (PackageDownload of Azure.Bicep.CommandLine.linux-x64).");
            }

            // NuGet extraction may drop the execute bit. (The package is the linux-x64 CLI: Linux only.)
            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("The infrastructure tests run the linux-x64 Bicep CLI.");
            }

            File.SetUnixFileMode(cli, File.GetUnixFileMode(cli) | UnixFileMode.UserExecute);
            var (exitCode, printed) = Run(cli, ["build", "--pattern", "**/*.bicep", "--outdir", output], source);
            var templates = Directory.Exists(output)
                ? Directory.EnumerateFiles(output, "*.json", SearchOption.AllDirectories).ToDictionary(
                    p => Path.ChangeExtension(Path.GetRelativePath(output, p), ".bicep").Replace('\\', '/'),
                    p => JsonNode.Parse(File.ReadAllText(p))!.AsObject(),
                    StringComparer.Ordinal)
                : [];
            var diagnostics = DiagnosticLine().Matches(printed)
                .Select(m => new BicepDiagnostic(
                    Path.GetRelativePath(source, m.Groups["file"].Value).Replace('\\', '/'),
                    int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    m.Groups["level"].Value,
                    m.Groups["code"].Value,
                    m.Groups["message"].Value.Trim()))
                .Distinct()
                .ToList();
            return new BicepCompilation(exitCode, templates, diagnostics, printed);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void CopyTemplates(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("hooks", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    // The CLI resolves a public host name at start-up even for a local build; the tests send nothing off this
    // machine, so where the user may create namespaces (root, as on the CI machine) it runs in an empty network
    // namespace. Elsewhere (GitHub's runner is not root) it runs as it is.
    private static (int ExitCode, string Output) Run(string cli, string[] arguments, string workingDirectory)
    {
        var isolate = Environment.UserName == "root" && File.Exists("/usr/bin/unshare");
        var start = new ProcessStartInfo(isolate ? "/usr/bin/unshare" : cli)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (isolate)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(cli);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("bicep build took more than 5 minutes.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    // path(line,column) : Level code: message [link]
    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\) : (?<level>Error|Warning|Info) (?<code>[\w-]+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}
