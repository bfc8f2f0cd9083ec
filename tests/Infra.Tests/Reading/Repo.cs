using System.Text.Json.Nodes;
using System.Runtime.CompilerServices;

namespace Infra.Tests.Reading;

/// <summary>The repository's deployment files, read once per test run.</summary>
public static class Repo
{
    private static readonly Lazy<string> RootFolder = new(() => FindRoot());
    private static readonly Lazy<SettingsDocument> SettingsFile = new(() => new SettingsDocument(File.ReadAllText(Combine("docs", "settings.md"))));

    /// <summary>The folder holding FraudFunctions.sln.</summary>
    public static string Root => RootFolder.Value;

    public static string InfraFolder => Combine("infra");

    public static string HandlerFolder => Combine("functions", "FraudFunctions");

    /// <summary>main.bicep as the compiler built it.</summary>
    public static ArmTemplate Main => BicepCompilation.Current.Template("main.bicep");

    public static SettingsDocument Settings => SettingsFile.Value;

    /// <summary>One template under infra/ as the compiler built it (<c>app/api.bicep</c>).</summary>
    public static ArmTemplate Compiled(string relativePath) => BicepCompilation.Current.Template(relativePath);

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Whether the file has its owner's execute bit (always true on Windows, which has none).</summary>
    public static bool IsExecutable(string path) => OperatingSystem.IsWindows() || File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute);

    /// <summary>Every .bicep file under infra/, relative to it with '/' separators.</summary>
    public static IReadOnlyList<string> AllBicep() =>
        Directory.EnumerateFiles(InfraFolder, "*.bicep", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(InfraFolder, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Each function folder of the handler with its parsed function.json.</summary>
    public static IReadOnlyList<(string Name, JsonObject Json)> Functions() =>
        Directory.EnumerateDirectories(HandlerFolder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Order(StringComparer.Ordinal)
            .Select(d => (Path.GetFileName(d), JsonNode.Parse(File.ReadAllText(Path.Combine(d, "function.json")))!.AsObject()))
            .ToList();

    public static IEnumerable<JsonObject> Bindings(JsonObject function) => function["bindings"]!.AsArray().Select(b => b!.AsObject());

    /// <summary>The app settings of the function app as compiled (app/api.bicep, the site's <c>appsettings</c> config).</summary>
    public static (ArmTemplate Template, JsonObject Settings) AppSettings()
    {
        var api = Compiled("app/api.bicep");
        var config = api.OfType("Microsoft.Web/sites/config").Single(r => ArmTemplate.Text(r["name"])!.Contains("'appsettings'", StringComparison.Ordinal));
        return (api, config["properties"]!.AsObject());
    }

    // The test's output folder is normally inside the clone; with --artifacts-path it is not, so fall back to
    // this source file's own location (known at compile time), then to the working directory.
    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? string.Empty, Directory.GetCurrentDirectory() })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FraudFunctions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No FraudFunctions.sln above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
