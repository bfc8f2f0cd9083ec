using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Infra.Tests.Reading;

/// <summary>A compiled ARM template (the compiler's output, never the .bicep text) and the few reads the tests need.</summary>
public sealed partial class ArmTemplate(string path, JsonObject json)
{
    /// <summary>The .bicep path relative to infra/.</summary>
    public string Path { get; } = path;

    public JsonObject Json { get; } = json;

    public JsonObject Parameters => Json["parameters"]?.AsObject() ?? [];

    public JsonObject Variables => Json["variables"]?.AsObject() ?? [];

    public JsonObject Outputs => Json["outputs"]?.AsObject() ?? [];

    /// <summary>Resources the template deploys (existing references compile to nothing).</summary>
    public IReadOnlyList<JsonObject> Resources => Json["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public IEnumerable<JsonObject> OfType(string type) => Resources.Where(r => string.Equals(Text(r["type"]), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The module deployment main.bicep names <paramref name="name"/> (Microsoft.Resources/deployments).</summary>
    public JsonObject Module(string name) => OfType("Microsoft.Resources/deployments").Single(d => Text(d["name"]) == name);

    /// <summary>
    /// The expression or literal a module call passes for <paramref name="parameter"/>, or null when none. A value that
    /// depends on a condition compiles to one expression building the whole <c>{value: ...}</c> object; that is returned.
    /// </summary>
    public static JsonNode? Passed(JsonObject module, string parameter) =>
        module["properties"]?["parameters"]?[parameter] switch
        {
            JsonObject wrapped => wrapped["value"],
            { } expression => expression,
            null => null,
        };

    /// <summary>
    /// The literal value of a property as deployed when it needs no deployment-time information: literals as they are,
    /// <c>[parameters('x')]</c> through the parameter's default, <c>[variables('x')]</c> through the variable. Null otherwise.
    /// </summary>
    public JsonNode? Literal(JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;
        if (text is null || !text.StartsWith('[') || text.StartsWith("[[", StringComparison.Ordinal))
        {
            return value;
        }

        var reference = Reference().Match(text);
        if (!reference.Success)
        {
            return null;
        }

        return reference.Groups["kind"].Value == "parameters"
            ? Literal(Parameters[reference.Groups["name"].Value]?["defaultValue"])
            : Literal(Variables[reference.Groups["name"].Value]);
    }

    /// <summary>The string value of a node, or its JSON text when it is not a string.</summary>
    public static string? Text(JsonNode? node) =>
        node is null ? null : node.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();

    /// <summary>A dotted path below a node (<c>properties.siteConfig.minTlsVersion</c>).</summary>
    public static JsonNode? Find(JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }

    [GeneratedRegex(@"^\[(?<kind>parameters|variables)\('(?<name>[^']+)'\)\]$")]
    private static partial Regex Reference();
}
