namespace Infra.Tests.Reading;

/// <summary>A Bicep declaration: <c>param</c>, <c>var</c>, <c>output</c> (name, type, value, decorators).</summary>
public sealed record BicepDeclaration(string Keyword, string Name, string? Type, BicepValue? Value, IReadOnlyList<string> Decorators)
{
    public bool HasDecorator(string name) => Decorators.Any(d => d.StartsWith("@" + name, StringComparison.Ordinal));
}

/// <summary>
/// A <c>resource</c> or <c>module</c> declaration. <see cref="Type"/> is the full resource type (a child's type is
/// prefixed with its parent's), or the module's path; <see cref="Header"/> holds any <c>for</c>/<c>if</c>.
/// </summary>
public sealed record BicepResource(string Keyword, string Symbol, string Type, string? ApiVersion, bool IsExisting, string Header, BicepObject Body)
{
    public string? Name => Body["name"]?.StringLiteral ?? Body["name"]?.Text;

    public BicepValue? Find(string path) => Body.Find(path);
}

/// <summary>
/// A Bicep file read well enough to check what matters (names, settings, wiring) without a compiler: top-level
/// declarations with their decorators, resources with nested children, modules, and object/array literals.
/// It understands strings, interpolation, multi-line strings, comments and multi-line ternaries; it does
/// not evaluate expressions.
/// </summary>
public sealed class BicepFile
{
    private BicepFile(string path, BicepText text, IReadOnlyList<BicepDeclaration> declarations, IReadOnlyList<BicepResource> resources)
    {
        Path = path;
        Text = text;
        Declarations = declarations;
        TopLevelResources = resources;
    }

    public string Path { get; }

    public BicepText Text { get; }

    public IReadOnlyList<BicepDeclaration> Declarations { get; }

    /// <summary>Top-level resources and modules (children are in each body's <see cref="BicepObject.Resources"/>).</summary>
    public IReadOnlyList<BicepResource> TopLevelResources { get; }

    public IEnumerable<BicepDeclaration> Params => Declarations.Where(d => d.Keyword == "param");

    public IEnumerable<BicepDeclaration> Vars => Declarations.Where(d => d.Keyword == "var");

    public IEnumerable<BicepDeclaration> Outputs => Declarations.Where(d => d.Keyword == "output");

    public IEnumerable<BicepResource> Modules => TopLevelResources.Where(r => r.Keyword == "module");

    /// <summary>Every resource, children included, depth first.</summary>
    public IEnumerable<BicepResource> Resources => TopLevelResources.Where(r => r.Keyword == "resource").SelectMany(Flatten);

    public string? TargetScope { get; private init; }

    public static BicepFile Load(string path) => Parse(path, File.ReadAllText(path));

    public static BicepFile Parse(string path, string source)
    {
        var text = new BicepText(source);
        var (declarations, resources, scope) = BicepParser.ParseTopLevel(text);
        return new BicepFile(path, text, declarations, resources) { TargetScope = scope };
    }

    public BicepDeclaration? Param(string name) => Params.FirstOrDefault(p => p.Name == name);

    public BicepDeclaration? Var(string name) => Vars.FirstOrDefault(v => v.Name == name);

    public IEnumerable<BicepResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<BicepResource> Flatten(BicepResource resource) =>
        new[] { resource }.Concat(resource.Body.Resources.SelectMany(Flatten));
}
