using Fraud.Model;
using Fraud.Registry.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.Registry.Serving;

/// <summary>
/// Serves the registry's champion: loads it at start, then polls the alias with If-None-Match every
/// <c>pollInterval</c> (a 304 costs no download) and swaps to a new champion by replacing one volatile reference
/// to an immutable <see cref="ServingModel"/>, so a request in flight finishes on the model it started with.
/// When the store is unreachable or a new artifact is invalid, it keeps the last good model and reports
/// <see cref="ProviderState.Degraded"/> with the error until a later check succeeds.
/// </summary>
public sealed class ChampionProvider : IAsyncDisposable
{
    private int _disposed;
    private readonly ModelRegistry _registry;
    private readonly TimeSpan _pollInterval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private volatile ServingModel? _current;
    private volatile ProviderStatus _status = ProviderStatus.Initial;
    private string? _aliasETag;
    private Task? _loop;

    public ChampionProvider(ModelRegistry registry, TimeSpan pollInterval, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        _registry = registry;
        _pollInterval = pollInterval;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after a new champion was swapped in (not on the first load).</summary>
    public event Action<ServingModel>? ModelChanged;

    /// <summary>Raised when a check or load fails (the last good model stays); for a ModelReloadFailed event.</summary>
    public event Action<Exception>? ReloadFailed;

    /// <summary>The model to score with, or null when there is none yet. Read it once per request.</summary>
    public ServingModel? Current => _current;

    public ProviderStatus Status => _status;

    /// <summary>
    /// Loads the champion (a missing champion or unreachable store is reported in <see cref="Status"/>, not thrown)
    /// and starts polling in the background.
    /// </summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The provider is already started.");
        }

        await RefreshAsync(ct);
        _loop = Task.Run(() => PollAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Checks the alias now; returns true when a different model was swapped in.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct = default)
    {
        await _refreshGate.WaitAsync(ct);
        try
        {
            return await RefreshCoreAsync(ct);
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Safe to call more than once (the DI container and an owner may both dispose it).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
        _refreshGate.Dispose();
    }

    private async Task PollAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_pollInterval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await RefreshAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // RefreshCoreAsync reports expected failures itself; anything else must not kill the polling loop.
                Fail(ex);
            }
        }
    }

    private async Task<bool> RefreshCoreAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        AliasPoll? poll;
        try
        {
            poll = await _registry.PollAliasAsync(ModelAliases.Champion, _aliasETag, ct);
        }
        catch (Exception ex) when (ex is BlobStoreException or RegistryException)
        {
            Fail(ex);
            return false;
        }

        if (poll is null)
        {
            Succeed(now);
            return false;
        }

        if (poll.Alias is not { } alias)
        {
            _aliasETag = null;
            if (_current is null)
            {
                _status = new ProviderStatus(ProviderState.NoChampion, null, now, null, null, 0);
            }
            else
            {
                Fail(new RegistryException($"The champion alias of {_registry.ModelName} disappeared; still serving version {_current.Version}."));
            }

            return false;
        }

        if (_current?.Version == alias.Version)
        {
            _aliasETag = alias.ETag;
            Succeed(now);
            return false;
        }

        ServingModel next;
        try
        {
            var (model, card) = await _registry.LoadAsync(alias.Version, ct);
            next = new ServingModel(model, alias.Version, card, DateTimeOffset.UtcNow) { ModelName = _registry.ModelName };
        }
        catch (Exception ex) when (ex is BlobStoreException or RegistryException or ModelFormatException)
        {
            // The ETag is not remembered, so the next poll tries this champion again (the failure may be transient).
            Fail(ex);
            return false;
        }

        var previous = _current;
        _current = next;
        _aliasETag = alias.ETag;
        Succeed(now);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                "Serving {ModelName} version {Version} (was {Previous}): {Reason}", _registry.ModelName, next.Version, previous?.Version ?? "none", alias.Reason);
        }

        if (previous is not null)
        {
            ModelChanged?.Invoke(next);
        }

        return previous?.Version != next.Version;
    }

    private void Succeed(DateTimeOffset now) =>
        _status = new ProviderStatus(_current is null ? ProviderState.NoChampion : ProviderState.Healthy, _current?.Version, now, null, null, 0);

    private void Fail(Exception ex)
    {
        var now = DateTimeOffset.UtcNow;
        var failures = _status.ConsecutiveFailures + 1;
        _status = new ProviderStatus(ProviderState.Degraded, _current?.Version, now, ex.Message, now, failures);
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.LogWarning(
                "Champion check failed ({Failures} in a row), still serving {Version}: {Error}", failures, _current?.Version ?? "nothing", ex.Message);
        }

        ReloadFailed?.Invoke(ex);
    }
}
