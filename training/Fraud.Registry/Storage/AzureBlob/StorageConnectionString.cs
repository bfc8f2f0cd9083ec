namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// The parts of an Azure Storage connection string the blob store needs. <c>UseDevelopmentStorage=true</c> expands to
/// Azurite's documented development account at http://127.0.0.1:10000/devstoreaccount1.
/// </summary>
public sealed class StorageConnectionString
{
    /// <summary>Azurite's well-known development account name (public, documented by Microsoft).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    // Microsoft's published Azurite development key: it only opens a local emulator, never a real account.
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(Uri blobEndpoint, string? accountName, string? accountKey, string? sharedAccessSignature)
    {
        BlobEndpoint = blobEndpoint;
        AccountName = accountName;
        AccountKey = accountKey;
        SharedAccessSignature = sharedAccessSignature;
    }

    /// <summary>The blob service endpoint, without a trailing slash in its path.</summary>
    public Uri BlobEndpoint { get; }

    public string? AccountName { get; }

    /// <summary>Base64 account key for Shared Key signing; null for SAS connection strings.</summary>
    public string? AccountKey { get; }

    /// <summary>The SAS query (without '?'); null for Shared Key connection strings.</summary>
    public string? SharedAccessSignature { get; }

    /// <summary>True when <paramref name="value"/> looks like a connection string rather than a path or URI.</summary>
    public static bool LooksLikeConnectionString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.TrimStart();
        string[] keys = ["UseDevelopmentStorage=", "DefaultEndpointsProtocol=", "AccountName=", "AccountKey=", "BlobEndpoint=", "SharedAccessSignature="];
        return keys.Any(k => trimmed.StartsWith(k, StringComparison.OrdinalIgnoreCase))
            || (value.Contains('=', StringComparison.Ordinal) && value.Contains(';', StringComparison.Ordinal)
                && keys.Any(k => value.Contains(";" + k, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Parses a connection string; throws <see cref="FormatException"/> naming the missing part (never echoing a key).</summary>
    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException("Storage connection string is malformed: every part must be key=value separated by ';'.");
            }

            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && string.Equals(dev, "true", StringComparison.OrdinalIgnoreCase))
        {
            var proxy = parts.TryGetValue("DevelopmentStorageProxyUri", out var p) ? new Uri(p) : new Uri("http://127.0.0.1");
            var endpoint = new Uri($"{proxy.Scheme}://{proxy.Host}:10000/{DevelopmentAccountName}");
            return new StorageConnectionString(endpoint, DevelopmentAccountName, DevelopmentAccountKey, null);
        }

        parts.TryGetValue("AccountName", out var account);
        parts.TryGetValue("AccountKey", out var key);
        parts.TryGetValue("SharedAccessSignature", out var sas);
        Uri blobEndpoint;
        if (parts.TryGetValue("BlobEndpoint", out var explicitEndpoint))
        {
            if (!Uri.TryCreate(explicitEndpoint, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                throw new FormatException("Storage connection string has a BlobEndpoint that is not an http(s) URI.");
            }

            blobEndpoint = parsed;
        }
        else if (!string.IsNullOrEmpty(account))
        {
            var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var proto) ? proto.ToLowerInvariant() : "https";
            var suffix = parts.TryGetValue("EndpointSuffix", out var sfx) ? sfx : "core.windows.net";
            blobEndpoint = new Uri($"{protocol}://{account}.blob.{suffix}");
        }
        else
        {
            throw new FormatException("Storage connection string needs AccountName or BlobEndpoint.");
        }

        if (string.IsNullOrEmpty(sas))
        {
            if (string.IsNullOrEmpty(account) || string.IsNullOrEmpty(key))
            {
                throw new FormatException("Storage connection string needs AccountName and AccountKey (or SharedAccessSignature).");
            }

            try
            {
                _ = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
                throw new FormatException("Storage connection string has an AccountKey that is not valid base64.");
            }
        }

        return new StorageConnectionString(TrimSlash(blobEndpoint), account, string.IsNullOrEmpty(sas) ? key : null, string.IsNullOrEmpty(sas) ? null : sas.TrimStart('?'));
    }

    internal static Uri TrimSlash(Uri uri)
    {
        var builder = new UriBuilder(uri) { Query = string.Empty, Fragment = string.Empty };
        builder.Path = builder.Path.TrimEnd('/');
        return builder.Uri;
    }
}
