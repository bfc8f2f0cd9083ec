using Fraud.Registry.Storage;

namespace FraudFunctions.Http;

/// <summary>Which exceptions mean "the store could not be reached or refused us", as opposed to a bug.</summary>
public static class StoreErrors
{
    public static bool IsStoreFailure(Exception ex) =>
        ex is BlobStoreException or HttpRequestException or IOException or TimeoutException or UnauthorizedAccessException
        || (ex is TaskCanceledException && ex.InnerException is TimeoutException)
        || (ex is AggregateException agg && agg.InnerExceptions.All(IsStoreFailure));
}
