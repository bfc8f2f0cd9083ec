using Infra.Tests.Reading;

namespace Infra.Tests;

// docs/settings.md is the contract: what the handler reads, the Bicep sets, in both directions.
public sealed class AppSettingsTests
{
    [Fact]
    public void EverySettingTheHandlerNeedsInAzureIsSetByTheBicep()
    {
        var (_, settings) = Repo.AppSettings();

        var missing = Repo.Settings.HandlerSettings.Where(s => s.SetInAzure && settings[s.Name] is null).Select(s => s.Name).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void SettingsWithADocumentedAzureValueGetExactlyThatValue()
    {
        var (api, settings) = Repo.AppSettings();
        var call = Repo.Main.Module("api");

        foreach (var documented in Repo.Settings.HandlerSettings.Where(s => s.RequiredValue is not null))
        {
            // main.bicep passes none of these; the module's default is what is deployed.
            Assert.Null(ArmTemplate.Passed(call, ArmTemplate.Text(settings[documented.Name])!.Replace("[parameters('", "", StringComparison.Ordinal).Replace("')]", "", StringComparison.Ordinal)));
            var actual = ArmTemplate.Text(api.Literal(settings[documented.Name]));
            Assert.True(documented.RequiredValue == actual, $"{documented.Name}: settings.md says '{documented.RequiredValue}', the Bicep gives '{actual}'.");
        }
    }

    [Fact]
    public void SettingsDocumentedAsNotSetInAzureAreAbsentFromTheBicep()
    {
        var (_, settings) = Repo.AppSettings();
        var notSet = Repo.Settings.HandlerSettings.Where(s => !s.SetInAzure).Select(s => s.Name)
            .Concat(Repo.Settings.HostSettings.Where(h => h.Meaning.StartsWith("not set", StringComparison.Ordinal)).Select(h => h.Name));

        var setAnyway = notSet.Where(name => settings[name] is not null).ToList();
        Assert.Empty(setAnyway);
    }

    [Fact]
    public void EveryHostSettingIsSetByTheBicep()
    {
        var (_, settings) = Repo.AppSettings();
        var required = Repo.Settings.HostSettings.Where(h => !h.Meaning.StartsWith("not set", StringComparison.Ordinal)).Select(h => h.Name).ToList();

        var missing = required.Where(name => settings[name] is null).ToList();
        Assert.NotEmpty(required);
        Assert.Empty(missing);
    }

    [Fact]
    public void EveryAppSettingInTheBicepIsDocumentedInSettingsMd()
    {
        var (_, settings) = Repo.AppSettings();
        var documented = Repo.Settings.HandlerSettings.Select(s => s.Name).Concat(Repo.Settings.HostSettings.Select(h => h.Name)).ToHashSet(StringComparer.Ordinal);

        var undocumented = settings.Select(kv => kv.Key).Where(key => !documented.Contains(key)).ToList();
        Assert.Empty(undocumented);
    }

    [Fact]
    public void IdentityBasedConnectionsUseTheAppsUserAssignedIdentity()
    {
        var (_, settings) = Repo.AppSettings();

        // The host picks the identity by client id; a typo here fails only at runtime, in Azure.
        foreach (var (key, value) in settings)
        {
            if (key.EndsWith("__credential", StringComparison.Ordinal))
            {
                Assert.Equal("managedidentity", ArmTemplate.Text(value));
                Assert.Equal("[parameters('identityClientId')]", ArmTemplate.Text(settings[key.Replace("__credential", "__clientId", StringComparison.Ordinal)]));
            }
        }

        Assert.Equal("[parameters('identityClientId')]", ArmTemplate.Text(settings["AZURE_CLIENT_ID"]));
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", ArmTemplate.Text(settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]));
        var passed = ArmTemplate.Text(ArmTemplate.Passed(Repo.Main.Module("api"), "identityClientId"))!;
        Assert.Contains("'Microsoft.Resources/deployments', 'identity'", passed, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.clientId.value]", passed, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryConfigurationKeyTheHandlerSourceReadsIsDocumentedInSettingsMd()
    {
        var keys = HandlerConfigurationScan.Keys(Repo.HandlerFolder);
        var documented = Repo.Settings.HandlerSettings.Select(s => s.Name).Concat(Repo.Settings.HostSettings.Select(h => h.Name)).ToHashSet(StringComparer.Ordinal);

        // The scan must find the handler's known keys, or it is not looking at the right code.
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", keys);
        Assert.Contains("Fraud__ModelName", keys);
        var undocumented = keys.Where(k => !documented.Contains(k)).ToList();
        Assert.Empty(undocumented);
    }
}
