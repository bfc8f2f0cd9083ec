using System.Globalization;
using System.Xml;
using Azure;
using Azure.Core;
using Azure.Identity;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>Turns a failed Blob REST response into the store's exception types, with status and x-ms-error-code.</summary>
internal static class BlobErrors
{
    public static string? ErrorCode(Response response)
    {
        if (response.Headers.TryGetValue("x-ms-error-code", out var code))
        {
            return code;
        }

        // HEAD-less errors carry <Error><Code>..</Code></Error> in the body when the header is missing.
        try
        {
            var content = response.Content;
            if (content is null || content.ToMemory().IsEmpty)
            {
                return null;
            }

            using var reader = XmlReader.Create(content.ToStream(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Name == "Code")
                {
                    return reader.ReadElementContentAsString();
                }
            }
        }
        catch (XmlException)
        {
        }

        return null;
    }

    public static BlobStoreException ToException(Response response, string operation, string target, string store)
    {
        var status = response.Status;
        var code = ErrorCode(response);
        var detail = BlobStoreException.Describe(status, code);
        return status switch
        {
            401 or 403 => new BlobAuthenticationException(
                $"{store} refused {operation} on '{target}': {detail}. Check the account key, SAS token or the identity's role (Storage Blob Data Contributor).",
                status,
                code),
            404 => new BlobNotFoundException($"{operation} on '{target}' in {store} failed: {detail}.", status, code),
            412 => new BlobPreconditionFailedException($"'{target}' changed since it was read: {detail}.", status, code),
            409 when code == "BlobAlreadyExists" => new BlobPreconditionFailedException($"'{target}' already exists: {detail}.", status, code),
            _ => new BlobStoreException($"{operation} on '{target}' in {store} failed: {detail}.", status, code),
        };
    }

    /// <summary>Transport and credential failures (after the pipeline's retries) also become store exceptions.</summary>
    public static BlobStoreException FromTransport(Exception ex, string operation, string target, string store)
    {
        var tries = 1;
        // The retry policy aggregates the failures of every try; the last one says enough.
        while (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            tries = aggregate.InnerExceptions.Count;
            ex = aggregate.InnerExceptions[^1];
        }

        var after = tries > 1 ? $" after {tries.ToString(CultureInfo.InvariantCulture)} tries" : string.Empty;
        return ex switch
        {
            AuthenticationFailedException => new BlobAuthenticationException(
                $"{store}: could not get a token for {operation} on '{target}': {FirstLine(ex.Message)}", 401, "CredentialUnavailable"),
            RequestFailedException { Status: > 0 } rf => new BlobStoreException(
                $"{operation} on '{target}' in {store} failed{after}: {FirstLine(rf.Message)}", rf.Status, rf.ErrorCode, ex),
            _ => new BlobStoreException($"{store} is unreachable{after} ({operation} on '{target}'): {FirstLine(ex.Message)}", 0, "Unreachable", ex),
        };
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    public static bool IsTransport(Exception ex) =>
        ex is RequestFailedException or HttpRequestException or IOException or AggregateException or AuthenticationFailedException;
}
