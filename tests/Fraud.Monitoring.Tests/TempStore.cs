using Fraud.Registry.Storage;

namespace Fraud.Monitoring.Tests;

/// <summary>A file blob store in a fresh temporary folder, deleted afterwards.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Root = Path.Combine(Path.GetTempPath(), "fraud-monitoring-tests", Guid.NewGuid().ToString("N"));
        Store = new FileBlobStore(Root);
    }

    public string Root { get; }

    public FileBlobStore Store { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
