using System.Text.Json.Nodes;
using System.Runtime.CompilerServices;

namespace Infra.Tests.Reading;

/// <summary>The repository's deployment files, read once per test run.</summary>
public static class Repo
{
    private static readonly Lazy<string> RootFolder = new(() => FindRoot());
    private static readonly Lazy<BicepFile> MainFile = new(() => Bicep("main.bicep"));
    private static readonly Lazy<SettingsDocument> SettingsFile = new(() => new SettingsDocument(File.ReadAllText(Combine("docs", "settings.md"))));

    /// <summary>The folder holding FraudFunctions.sln.</summary>
    public static string Root => RootFolder.Value;

    public static string InfraFolder => Combine("infra");

    public static string HandlerFolder => Combine("functions", "FraudFunctions");

    public static BicepFile Main => MainFile.Value;

    public static SettingsDocument Settings => SettingsFile.Value;

    public static BicepFile Bicep(string relativePath) => BicepFile.Load(Path.Combine(InfraFolder, relativePath));

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Whether the file has its owner's execute bit (always true on Windows, which has none).</summary>
    public static bool IsExecutable(string path) => OperatingSystem.IsWindows() || File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute);

    /// <summary>Every .bicep file under infra/.</summary>
    public static IReadOnlyList<BicepFile> AllBicep() =>
        Directory.EnumerateFiles(InfraFolder, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(BicepFile.Load).ToList();

    /// <summary>The module main.bicep declares with this symbol, loaded.</summary>
    public static (BicepResource Call, BicepFile File) Module(string symbol)
    {
        var call = Main.Modules.Single(m => m.Symbol == symbol);
        return (call, BicepFile.Load(Path.Combine(InfraFolder, call.Type)));
    }

    /// <summary>Each function folder of the handler with its parsed function.json.</summary>
    public static IReadOnlyList<(string Name, JsonObject Json)> Functions() =>
        Directory.EnumerateDirectories(HandlerFolder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Order(StringComparer.Ordinal)
            .Select(d => (Path.GetFileName(d), JsonNode.Parse(File.ReadAllText(Path.Combine(d, "function.json")))!.AsObject()))
            .ToList();

    public static IEnumerable<JsonObject> Bindings(JsonObject function) => function["bindings"]!.AsArray().Select(b => b!.AsObject());

    /// <summary>The app settings object of the function app (api.bicep, the site's <c>appsettings</c> config).</summary>
    public static (BicepFile File, BicepObject Settings) AppSettings()
    {
        var (_, api) = Module("api");
        var config = api.OfType("Microsoft.Web/sites/config").Single(r => r.Name == "appsettings");
        return (api, config.Find("properties")!.AsObject());
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
