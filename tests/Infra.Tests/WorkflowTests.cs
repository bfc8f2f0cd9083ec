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
        Assert.Contains("workflow_dispatch:", deploy, StringComparison.Ordinal);
        Assert.Contains("azd provision --no-prompt", deploy, StringComparison.Ordinal);
        Assert.Contains("azd deploy --no-prompt", deploy, StringComparison.Ordinal);
        // Identifiers are repository variables; a secret here would mean a stored credential.
        Assert.DoesNotContain("secrets.", deploy, StringComparison.Ordinal);
    }

    // Issue 19 item 15: deploy only what CI passed, and exactly that commit.
    [Fact]
    public void DeploymentRunsOnlyAfterCiPassedOnMainAndChecksOutThatCommit()
    {
        var deploy = Read(".github", "workflows", "azure-dev.yml");
        var ciName = System.Text.RegularExpressions.Regex.Match(Read(".github", "workflows", "ci.yml"), @"(?m)^name:\s*(\S+)\s*$").Groups[1].Value;
        var trigger = deploy[deploy.IndexOf("\non:", StringComparison.Ordinal)..deploy.IndexOf("\npermissions:", StringComparison.Ordinal)];

        Assert.Equal("ci", ciName);
        Assert.Contains($"workflow_run:\n    workflows:\n      - {ciName}\n    types:\n      - completed\n    branches:\n      - main", trigger, StringComparison.Ordinal);
        // No push trigger: a push would deploy before (or without) CI passing.
        Assert.DoesNotContain("push:", trigger, StringComparison.Ordinal);
        Assert.Contains("if: github.event_name == 'workflow_dispatch' || (github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push')", deploy, StringComparison.Ordinal);
        Assert.Contains("ref: ${{ github.event.workflow_run.head_sha || github.sha }}", deploy, StringComparison.Ordinal);
        Assert.Contains("DEPLOYER_DATA_ACCESS: ${{ vars.DEPLOYER_DATA_ACCESS || 'false' }}", deploy, StringComparison.Ordinal);
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
