using Infra.Tests.Reading;

namespace Infra.Tests;

// The pipelines and the pre-commit hook, read as text: what they must run and what they must never hold.
public sealed class WorkflowTests
{
    private static string Read(params string[] parts) => File.ReadAllText(Repo.Combine(parts));

    [Fact]
    public void CiRestoresBuildsTestsWithAzuriteAndPublishesTheFunctionApp()
    {
        var ci = Read(".github", "workflows", "ci.yml");

        Assert.Contains("dotnet restore", ci, StringComparison.Ordinal);
        Assert.Contains("dotnet build", ci, StringComparison.Ordinal);
        Assert.Contains("run: bash .ci/run", ci, StringComparison.Ordinal);
        Assert.Contains("actions/setup-node", ci, StringComparison.Ordinal);
        Assert.Contains("bash infra/hooks/package-api.sh", ci, StringComparison.Ordinal);
        Assert.Contains("actions/upload-artifact", ci, StringComparison.Ordinal);
        Assert.Contains("--verify-no-changes", ci, StringComparison.Ordinal);
    }

    [Fact]
    public void DeploymentUsesFederatedCredentialsAndRunsOnMain()
    {
        var deploy = Read(".github", "workflows", "azure-dev.yml");

        Assert.Contains("id-token: write", deploy, StringComparison.Ordinal);
        Assert.Contains("--federated-credential-provider github", deploy, StringComparison.Ordinal);
        Assert.Contains("branches:\n      - main", deploy, StringComparison.Ordinal);
        Assert.Contains("workflow_dispatch:", deploy, StringComparison.Ordinal);
        Assert.Contains("azd provision --no-prompt", deploy, StringComparison.Ordinal);
        Assert.Contains("azd deploy --no-prompt", deploy, StringComparison.Ordinal);
        // Identifiers are repository variables; a secret here would mean a stored credential.
        Assert.DoesNotContain("secrets.", deploy, StringComparison.Ordinal);
    }

    [Fact]
    public void PreCommitHookVerifiesFormattingAndTheReadmeExplainsItsSetup()
    {
        var hook = Repo.Combine(".github", "hooks", "pre-commit");

        Assert.True(Repo.IsExecutable(hook), "git ignores a hook that is not executable.");
        Assert.Contains("dotnet format", File.ReadAllText(hook), StringComparison.Ordinal);
        Assert.Contains("--verify-no-changes", File.ReadAllText(hook), StringComparison.Ordinal);
        Assert.Contains("git config core.hooksPath .github/hooks", Read("README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeWalksThroughAzdUpWithTheIdleCost()
    {
        var readme = Read("README.md");
        var start = readme.IndexOf("## Deployment", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Deployment section.");
        var next = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = next < 0 ? readme[start..] : readme[start..next];

        Assert.Contains("azd up", section, StringComparison.Ordinal);
        Assert.Contains("azd auth login", section, StringComparison.Ordinal);
        Assert.Contains("ALERT_EMAIL", section, StringComparison.Ordinal);
        Assert.Contains("idle", section, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("azd down", section, StringComparison.Ordinal);
    }
}
