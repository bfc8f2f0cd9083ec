using System.Security.Cryptography;
using System.Text;
using Fraud.Monitoring;
using Fraud.Registry.Storage;

namespace FraudFunctions.Composition;

/// <summary>Where the prediction log spills when the store is down (docs/monitoring.md, "Outages and shutdown").</summary>
public static class PredictionLogSpill
{
    /// <summary>
    /// The log's options with a spill folder: <c>PredictionLog:SpillDirectory</c> when set, otherwise a folder under the
    /// machine's temporary directory named after the store, so two handlers with different stores on one machine
    /// (tests, a developer's two terminals) never upload each other's records.
    /// </summary>
    public static PredictionLogOptions Options(IBlobStore store, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(configuration);
        var root = configuration["PredictionLog:SpillDirectory"];
        if (string.IsNullOrWhiteSpace(root))
        {
            root = Path.Combine(Path.GetTempPath(), "fraud-prediction-spill");
        }

        var storeKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(store.Description)))[..16];
        return new PredictionLogOptions { SpillDirectory = Path.Combine(root, storeKey) };
    }
}
