using Fraud.Monitoring;

namespace FraudFunctions.Composition;

/// <summary>
/// Writes the buffered prediction log out when the host stops gracefully. Disposal flushes too, but it runs while
/// the container tears down its singletons; stopping runs first, with the store and everything else still alive,
/// so accepted records are not lost to disposal order.
/// </summary>
public sealed class PredictionLogFlusher(IPredictionLog log, ILogger<PredictionLogFlusher> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (log is not BufferedPredictionLog buffered)
        {
            return;
        }

        try
        {
            await buffered.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Counts and types only: no basket contents in logs. Disposal tries once more.
            logger.LogError("Prediction log flush at shutdown failed ({Error}); disposal retries it.", ex.GetType().Name);
        }
    }
}
