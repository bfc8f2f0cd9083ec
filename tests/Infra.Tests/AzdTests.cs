using System.Diagnostics;
using Infra.Tests.Reading;

namespace Infra.Tests;

// azure.yaml is what `azd up` follows: a wrong path or a missing hook fails only in front of a user.
public sealed class AzdTests
{
    private static readonly Lazy<SimpleYaml> AzureYaml = new(() => SimpleYaml.Parse(File.ReadAllText(Repo.Combine("azure.yaml"))));

    private static SimpleYaml Api => AzureYaml.Value.Child("services")!.Child("api")!;

    private static string ProjectFolder => Path.GetFullPath(Path.Combine(Repo.Root, Api.Scalar("project")!));

    public static TheoryData<string, string> Hooks()
    {
        var data = new TheoryData<string, string>();
        foreach (var hook in Api.Child("hooks")!.Keys)
        {
            foreach (var platform in new[] { "posix", "windows" })
            {
                data.Add(hook, platform);
            }
        }

        return data;
    }

    [Fact]
    public void TheApiServicePointsAtTheHandlerProjectAsACustomFunctionApp()
    {
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", AzureYaml.Value.Scalar("name"));
        Assert.True(File.Exists(Path.Combine(ProjectFolder, "FraudFunctions.csproj")), $"No FraudFunctions.csproj in {ProjectFolder}.");
        Assert.Equal(Repo.HandlerFolder, ProjectFolder);
        Assert.Equal("function", Api.Scalar("host"));
        // azd packages `dist` as-is for language custom; the prepackage hook fills it.
        Assert.Equal("custom", Api.Scalar("language"));
        Assert.False(string.IsNullOrEmpty(Api.Scalar("dist")));
        Assert.Equal("infra", AzureYaml.Value.Find("infra.path"));
        Assert.Equal("main", AzureYaml.Value.Find("infra.module"));
    }

    [Theory]
    [MemberData(nameof(Hooks))]
    public void EveryHookScriptExists(string hook, string platform)
    {
        var run = Api.Child("hooks")!.Child(hook)!.Child(platform)!.Scalar("run")!;
        // Service hooks run in the service's project folder, so their paths are relative to it.
        var script = Path.GetFullPath(Path.Combine(ProjectFolder, run));

        Assert.True(File.Exists(script), $"{hook}/{platform} runs {run}, which does not exist ({script}).");
        Assert.StartsWith(Path.Combine(Repo.InfraFolder, "hooks"), script, StringComparison.Ordinal);
        Assert.Equal(platform == "posix" ? "sh" : "pwsh", Api.Child("hooks")!.Child(hook)!.Child(platform)!.Scalar("shell"));
    }

    [Theory]
    [InlineData("package-api.sh")]
    [InlineData("register-model.sh")]
    public void BashHooksAreExecutableAndParse(string name)
    {
        var script = Path.Combine(Repo.InfraFolder, "hooks", name);

        Assert.True(Repo.IsExecutable(script), $"{name} is not executable.");
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", script]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0, errors);
    }

    [Fact]
    public void ThePackageHookPublishesIntoTheDistFolderAzdZips()
    {
        var dist = Path.GetFullPath(Path.Combine(ProjectFolder, Api.Scalar("dist")!));
        var relative = Path.GetRelativePath(Repo.Root, dist).Replace('\\', '/');

        Assert.Contains($"$root/{relative}}}", File.ReadAllText(Path.Combine(Repo.InfraFolder, "hooks", "package-api.sh")), StringComparison.Ordinal);
        Assert.Contains($"'../../{relative}'", File.ReadAllText(Path.Combine(Repo.InfraFolder, "hooks", "package-api.ps1")), StringComparison.Ordinal);
        // The publish output must never be committed.
        Assert.Contains("bin/", File.ReadAllLines(Repo.Combine(".gitignore")));
        Assert.StartsWith(Path.Combine(ProjectFolder, "bin"), dist, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePackageHookPublishesSelfContainedForLinuxX64()
    {
        var script = File.ReadAllText(Path.Combine(Repo.InfraFolder, "hooks", "package-api.sh"));

        Assert.Contains("dotnet publish \"$project\" -c Release -r linux-x64 --self-contained true -o \"$out\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePostdeployHookReadsTheStoreUrlThatProvisioningOutputs()
    {
        var script = File.ReadAllText(Path.Combine(Repo.InfraFolder, "hooks", "register-model.sh"));

        Assert.Contains("FRAUD_STORE_URL", script, StringComparison.Ordinal);
        var storeUrl = ArmTemplate.Text(Repo.Main.Outputs["FRAUD_STORE_URL"]!["value"])!;
        Assert.Contains("'Microsoft.Resources/deployments', 'storage')", storeUrl, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.blobEndpoint.value]", storeUrl, StringComparison.Ordinal);
        Assert.Contains("registry list --store \"$store\" --json", script, StringComparison.Ordinal);
        Assert.Contains("--register --store \"$store\"", script, StringComparison.Ordinal);
    }
}
