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

        // Bounded by PredictionLogOptions.ShutdownFlushTimeout (10 s), not by the host's shutdown timeout (30 s): on a frozen store the
        // records go to the local spill after the configured wait, and disposal then spills without waiting again.
        if (!await buffered.FlushAtShutdownAsync(cancellationToken))
        {
            // Counts and types only: no basket contents in logs (the log itself said why and how many).
            logger.LogWarning("Prediction log: the shutdown flush did not reach the store; see the spill lines above.");
        }
    }
}
