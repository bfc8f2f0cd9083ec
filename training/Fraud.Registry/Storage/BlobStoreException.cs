using System.Net;

namespace Fraud.Registry.Storage;

/// <summary>A blob operation failed; carries the HTTP status and the service's error code (x-ms-error-code) when known.</summary>
public class BlobStoreException : Exception
{
    public BlobStoreException()
        : this("Blob store operation failed.")
    {
    }

    public BlobStoreException(string message)
        : this(message, 0, null)
    {
    }

    public BlobStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobStoreException(string message, int status, string? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>HTTP status of the failed request (the file store uses the equivalent status), 0 when none.</summary>
    public int Status { get; }

    /// <summary>The service's error code such as <c>ConditionNotMet</c> or <c>AuthorizationFailure</c>, when known.</summary>
    public string? ErrorCode { get; }

    internal static string Describe(int status, string? errorCode) =>
        errorCode is null
            ? $"HTTP {status} ({(HttpStatusCode)status})"
            : $"HTTP {status} ({(HttpStatusCode)status}, {errorCode})";
}

/// <summary>The blob or its container does not exist.</summary>
public sealed class BlobNotFoundException : BlobStoreException
{
    public BlobNotFoundException()
    {
    }

    public BlobNotFoundException(string message)
        : base(message, 404, "BlobNotFound")
    {
    }

    public BlobNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobNotFoundException(string message, int status, string? errorCode)
        : base(message, status, errorCode)
    {
    }
}

/// <summary>A conditional write lost: the blob exists (If-None-Match: *) or changed since it was read (If-Match).</summary>
public sealed class BlobPreconditionFailedException : BlobStoreException
{
    public BlobPreconditionFailedException()
    {
    }

    public BlobPreconditionFailedException(string message)
        : base(message, 412, "ConditionNotMet")
    {
    }

    public BlobPreconditionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobPreconditionFailedException(string message, int status, string? errorCode)
        : base(message, status, errorCode)
    {
    }
}

/// <summary>The store refused the credentials (HTTP 401/403).</summary>
public sealed class BlobAuthenticationException : BlobStoreException
{
    public BlobAuthenticationException()
    {
    }

    public BlobAuthenticationException(string message)
        : base(message, 403, null)
    {
    }

    public BlobAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobAuthenticationException(string message, int status, string? errorCode)
        : base(message, status, errorCode)
    {
    }
}
