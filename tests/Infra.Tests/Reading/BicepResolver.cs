namespace Infra.Tests.Reading;

/// <summary>
/// Resolves an expression to a string literal when it is one, or names a param or var that leads to one:
/// through the module call's arguments (main.bicep) first, then the param's default, then the var's value.
/// Anything computed (interpolations, function calls) resolves to null.
/// </summary>
public static class BicepResolver
{
    public static string? Resolve(BicepValue? value, BicepFile file, BicepResource? moduleCall = null, BicepFile? caller = null)
    {
        if (value is null)
        {
            return null;
        }

        if (value.StringLiteral is { } literal)
        {
            return literal;
        }

        if (value.Identifier is not { } name)
        {
            return null;
        }

        if (moduleCall?.Find("params")?.AsObject()[name] is { } argument && caller is not null)
        {
            return Resolve(argument, caller);
        }

        if (file.Param(name) is { } param)
        {
            return Resolve(param.Value, file);
        }

        return file.Var(name) is { } variable ? Resolve(variable.Value, file) : null;
    }
}
