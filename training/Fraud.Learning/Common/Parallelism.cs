namespace Fraud.Learning;

/// <summary>
/// Runs independent work items on up to N threads. Callers only parallelise work whose items write disjoint
/// outputs and combine partial results in a fixed order afterwards, so results never depend on scheduling.
/// </summary>
internal static class Parallelism
{
    public static void For(int count, int threads, Action<int> body)
    {
        if (count <= 0)
        {
            return;
        }

        if (threads <= 1 || count == 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>Splits [0, length) into fixed-size chunks; the split depends only on the length, never on threads.</summary>
    public static int ChunkCount(int length, int chunkSize) => (length + chunkSize - 1) / chunkSize;
}
