using System.Globalization;

namespace Fraud.Registry.Storage;

/// <summary>
/// Validates container and blob names the same way for every store, so that a name accepted by the file store
/// is also valid on Azure, and no name can escape the file store's root folder.
/// </summary>
public static class BlobNames
{
    /// <summary>Azure's limit for a blob name.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="container"/> is a valid Azure container name.</summary>
    public static void ValidateContainer(string container)
    {
        ArgumentNullException.ThrowIfNull(container);
        // Azure: 3-63 chars, lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
        var valid = container.Length is >= 3 and <= 63
            && char.IsAsciiLetterOrDigit(container[0])
            && char.IsAsciiLetterOrDigit(container[^1])
            && !container.Contains("--", StringComparison.Ordinal);
        for (var i = 0; valid && i < container.Length; i++)
        {
            var c = container[i];
            valid = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-';
        }

        if (!valid)
        {
            throw new ArgumentException(
                $"Invalid container name '{container}': use 3 to 63 lowercase letters, digits and single hyphens.",
                nameof(container));
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a relative, '/'-separated blob name
    /// without empty, '.' or '..' segments, backslashes or control characters.
    /// </summary>
    public static void ValidateBlob(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = null;
        if (name.Length is 0 or > MaxBlobNameLength)
        {
            problem = $"must have 1 to {MaxBlobNameLength.ToString(CultureInfo.InvariantCulture)} characters";
        }
        else if (name[0] == '/' || name[^1] == '/')
        {
            problem = "must not start or end with '/'";
        }
        else if (name.Contains('\\', StringComparison.Ordinal))
        {
            problem = "must not contain '\\'";
        }
        else if (name.Any(char.IsControl))
        {
            problem = "must not contain control characters";
        }
        else
        {
            foreach (var segment in name.Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..")
                {
                    problem = "must not contain empty, '.' or '..' path segments";
                    break;
                }
            }
        }

        if (problem is not null)
        {
            throw new ArgumentException($"Invalid blob name '{Printable(name)}': it {problem}.", nameof(name));
        }
    }

    /// <summary>Validates a listing prefix: empty, or a blob name that may end with '/'.</summary>
    public static void ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return;
        }

        ValidateBlob(prefix.EndsWith('/') ? prefix[..^1] : prefix);
    }

    private static string Printable(string name)
    {
        var shown = name.Length > 80 ? name[..80] + "..." : name;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
