using System.Reflection;

namespace Fraud.Registry;

/// <summary>Which code trained a model: the CI's git sha when set, else the assembly's informational version.</summary>
public static class CodeVersion
{
    /// <summary>Environment variables checked in order for a commit id.</summary>
    public static IReadOnlyList<string> ShaVariables { get; } = ["FRAUD_GIT_SHA", "GITHUB_SHA", "BUILD_SOURCEVERSION"];

    public static string Current
    {
        get
        {
            foreach (var name in ShaVariables)
            {
                var sha = Environment.GetEnvironmentVariable(name);
                if (!string.IsNullOrWhiteSpace(sha))
                {
                    return sha.Trim();
                }
            }

            var assembly = typeof(CodeVersion).Assembly;
            return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString()
                ?? "unknown";
        }
    }
}
