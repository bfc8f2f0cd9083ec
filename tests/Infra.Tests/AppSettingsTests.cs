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
        var (call, _) = Repo.Module("api");

        foreach (var documented in Repo.Settings.HandlerSettings.Where(s => s.RequiredValue is not null))
        {
            var actual = BicepResolver.Resolve(settings[documented.Name], api, call, Repo.Main);
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

        var undocumented = settings.Keys.Where(key => !documented.Contains(key)).ToList();
        Assert.Empty(undocumented);
    }

    [Fact]
    public void IdentityBasedConnectionsUseTheAppsUserAssignedIdentity()
    {
        var (_, settings) = Repo.AppSettings();

        // The host picks the identity by client id; a typo here fails only at runtime, in Azure.
        foreach (var (key, value) in settings.Members)
        {
            if (key.EndsWith("__credential", StringComparison.Ordinal))
            {
                Assert.Equal("managedidentity", value.StringLiteral);
                Assert.Equal("identityClientId", settings[key.Replace("__credential", "__clientId", StringComparison.Ordinal)]?.Text);
            }
        }

        Assert.Equal("identityClientId", settings["AZURE_CLIENT_ID"]?.Text);
        Assert.Equal("'ClientId=${identityClientId};Authorization=AAD'", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]?.Text);
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
