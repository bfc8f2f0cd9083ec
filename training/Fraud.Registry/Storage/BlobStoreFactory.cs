using Azure.Core;
using Azure.Identity;
using Fraud.Registry.Storage.AzureBlob;
using Microsoft.Extensions.Configuration;

namespace Fraud.Registry.Storage;

/// <summary>
/// Turns one setting into a store: nothing means the embedded file store <c>.fraud</c>; a folder path means a file
/// store there; a connection string (including <c>UseDevelopmentStorage=true</c>) means Azure Blob with Shared Key or
/// SAS; an https blob endpoint means Azure Blob with Microsoft Entra ID (DefaultAzureCredential), or SAS when the URI
/// carries a signature.
/// </summary>
public static class BlobStoreFactory
{
    /// <summary>The embedded store's folder, relative to the working directory.</summary>
    public const string DefaultFolder = ".fraud";

    /// <summary>Creates a store from a path, connection string or blob endpoint; see the class remarks.</summary>
    public static IBlobStore Create(string? spec, BlobStoreClientOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return new FileBlobStore(DefaultFolder);
        }

        spec = spec.Trim();
        if (LooksLikeConnectionString(spec))
        {
            return AzureBlobStore.FromConnectionString(spec, options);
        }

        if (Uri.TryCreate(spec, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            if (uri.Query.Contains("sig=", StringComparison.Ordinal))
            {
                return AzureBlobStore.FromSasUri(uri, options);
            }

            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new FormatException($"Store URI {uri.GetLeftPart(UriPartial.Path)} must use https for Microsoft Entra ID; use a connection string for http endpoints such as Azurite.");
            }

            return AzureBlobStore.FromCredential(uri, new DefaultAzureCredential(), options);
        }

        return new FileBlobStore(spec);
    }

    /// <summary>
    /// Reads a store from configuration the way the Functions host reads identity-based connections:
    /// <c>&lt;name&gt;</c> itself (path or connection string), or <c>&lt;name&gt;__blobServiceUri</c> (also
    /// <c>__serviceUri</c>) with optional <c>__credential</c> = <c>managedidentity</c> and <c>__clientId</c>.
    /// Also looks in <c>ConnectionStrings:&lt;name&gt;</c>. Nothing set means the embedded file store.
    /// </summary>
    public static IBlobStore FromConfiguration(IConfiguration configuration, string connectionName = "FraudStorage", BlobStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(connectionName);
        var serviceUri = section["blobServiceUri"] ?? section["serviceUri"];
        if (!string.IsNullOrWhiteSpace(serviceUri))
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new FormatException($"{connectionName}__blobServiceUri must be an https URI such as https://<account>.blob.core.windows.net.");
            }

            return AzureBlobStore.FromCredential(uri, CreateCredential(section["credential"], section["clientId"]), options);
        }

        var value = section.Value ?? configuration.GetConnectionString(connectionName);
        return Create(value, options);
    }

    /// <summary>True for <c>UseDevelopmentStorage=true</c> and <c>Key=value;...</c> account connection strings.</summary>
    public static bool LooksLikeConnectionString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.TrimStart();
        string[] keys = ["UseDevelopmentStorage=", "DefaultEndpointsProtocol=", "AccountName=", "AccountKey=", "BlobEndpoint=", "SharedAccessSignature="];
        return keys.Any(k => trimmed.StartsWith(k, StringComparison.OrdinalIgnoreCase))
            || (value.Contains('=', StringComparison.Ordinal) && value.Contains(';', StringComparison.Ordinal)
                && keys.Any(k => value.Contains(";" + k, StringComparison.OrdinalIgnoreCase)));
    }

    private static TokenCredential CreateCredential(string? credential, string? clientId)
    {
        if (string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        if (!string.IsNullOrWhiteSpace(credential))
        {
            throw new FormatException($"Unsupported storage credential '{credential}': use 'managedidentity' or leave it unset for DefaultAzureCredential.");
        }

        var defaults = new DefaultAzureCredentialOptions();
        if (!string.IsNullOrWhiteSpace(clientId))
        {
            defaults.ManagedIdentityClientId = clientId;
        }

        return new DefaultAzureCredential(defaults);
    }
}
