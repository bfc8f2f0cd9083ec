using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Infra.Tests.Reading;

namespace Infra.Tests;

// main.parameters.json is what azd fills from the environment: checked against the compiled template's parameters.
public sealed partial class ParametersFileTests
{
    private static JsonObject File => JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(Repo.InfraFolder, "main.parameters.json")))!["parameters"]!.AsObject();

    [Fact]
    public void EveryParameterInTheFileIsDeclaredAndEveryRequiredOneIsInTheFile()
    {
        var declared = Repo.Main.Parameters;
        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key).ToList();

        Assert.Empty(File.Select(p => p.Key).Where(k => declared[k] is null).ToList());
        Assert.Equal(["environmentName", "location"], required);
        Assert.All(required, r => Assert.NotNull(File[r]));
        Assert.Equal("${AZURE_ENV_NAME}", File["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_LOCATION}", File["location"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", File["principalId"]!["value"]!.GetValue<string>());
    }

    // azd substitutes ${NAME=default}; whatever default the file gives must have the parameter's type and be allowed.
    [Fact]
    public void EveryValueInTheFileHasTheParametersTypeAndAnAllowedDefault()
    {
        foreach (var (name, entry) in File)
        {
            var parameter = Repo.Main.Parameters[name]!;
            var type = parameter["type"]!.GetValue<string>();
            var raw = entry!["value"]!.GetValue<string>();
            var substitution = Substitution().Match(raw);
            Assert.True(substitution.Success, $"{name}: '{raw}' is not an azd ${{VARIABLE}} substitution.");
            if (!substitution.Groups["default"].Success)
            {
                Assert.Equal("string", type);
                continue;
            }

            var fallback = substitution.Groups["default"].Value;
            JsonNode? typed = type switch
            {
                "bool" => bool.TryParse(fallback, out var b) ? JsonValue.Create(b) : null,
                "int" => int.TryParse(fallback, System.Globalization.CultureInfo.InvariantCulture, out var i) ? JsonValue.Create(i) : null,
                _ => JsonValue.Create(fallback),
            };
            Assert.True(typed is not null, $"{name}: default '{fallback}' is not a {type}.");
            if (parameter["allowedValues"] is JsonArray allowed && fallback.Length > 0)
            {
                Assert.Contains(typed!.ToJsonString(), allowed.Select(a => a!.ToJsonString()));
            }

            // The file's default is the template's own, so `azd up` and a bare deployment agree.
            if (parameter["defaultValue"] is { } templateDefault)
            {
                Assert.Equal(templateDefault.ToJsonString(), typed!.ToJsonString());
            }
        }
    }

    [GeneratedRegex(@"^\$\{(?<var>[A-Z_][A-Z0-9_]*)(?:=(?<default>[^}]*))?\}$")]
    private static partial Regex Substitution();
}
