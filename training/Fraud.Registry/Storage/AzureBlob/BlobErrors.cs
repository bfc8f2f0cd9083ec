using System.Globalization;
using Azure;
using Azure.Identity;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// The one boundary where Blob SDK failures become the store's exceptions: 404 not found, 412 and 409 BlobAlreadyExists
/// precondition failed (a lost conditional write), 401/403 and token failures authentication, anything else (after the
/// SDK's retries) a plain <see cref="BlobStoreException"/> that callers treat as transient.
/// </summary>
internal static class BlobErrors
{
    public static BlobStoreException Map(Exception ex, string operation, string target, string store)
    {
        var tries = 1;
        // After its retries the SDK throws an AggregateException of every try's failure; the last one says enough.
        while (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            tries = aggregate.InnerExceptions.Count;
            ex = aggregate.InnerExceptions[^1];
        }

        var after = tries > 1 ? $" after {tries.ToString(CultureInfo.InvariantCulture)} tries" : string.Empty;
        if (ex is AuthenticationFailedException or CredentialUnavailableException)
        {
            return new BlobAuthenticationException(
                $"{store}: could not get a token for {operation} on '{target}': {FirstLine(ex.Message)}", 401, "CredentialUnavailable");
        }

        if (ex is not RequestFailedException { Status: > 0 } failed)
        {
            return new BlobStoreException($"{store} is unreachable{after} ({operation} on '{target}'): {FirstLine(ex.Message)}", 0, "Unreachable", ex);
        }

        var status = failed.Status;
        var code = failed.ErrorCode;
        var detail = BlobStoreException.Describe(status, code);
        return status switch
        {
            401 or 403 => new BlobAuthenticationException(
                $"{store} refused {operation} on '{target}': {detail}. Check the SAS token or the identity's role (Storage Blob Data Contributor).",
                status,
                code),
            404 => new BlobNotFoundException($"{operation} on '{target}' in {store} failed: {detail}.", status, code),
            412 => new BlobPreconditionFailedException($"'{target}' changed since it was read: {detail}.", status, code),
            409 when code == "BlobAlreadyExists" => new BlobPreconditionFailedException($"'{target}' already exists: {detail}.", status, code),
            _ => new BlobStoreException($"{operation} on '{target}' in {store} failed{after}: {detail}.", status, code),
        };
    }

    /// <summary>Failures the SDK reports for a call: service answers, transport errors after retries, token errors, timeouts.</summary>
    public static bool IsStoreFailure(Exception ex, CancellationToken ct) =>
        ex is RequestFailedException or HttpRequestException or IOException or AggregateException or AuthenticationFailedException or CredentialUnavailableException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
