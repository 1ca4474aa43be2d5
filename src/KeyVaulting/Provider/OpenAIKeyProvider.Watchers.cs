using KeyVaulting.Provider.Internal;

namespace KeyVaulting.Provider;

/// <summary>
/// Watchers of the sources the provider owns (a <c>.env</c> file): a change they report starts a read at once, shared
/// with a read in flight (or queued behind it, since that read may have read the file before the save). Created after
/// the first read, following the source after every read, disposed with the provider. Sources the application passed
/// in (<c>AddSource(instance)</c>) are the application's: nothing is attached to them.
/// </summary>
internal sealed partial class OpenAIKeyProvider
{
    private readonly IKeySourceWatcher?[] _watchers;
    private bool _watchersCreated;

    /// <summary>Gets the watchers of the sources, by index (null for a source not watched); for tests.</summary>
    internal IReadOnlyList<IKeySourceWatcher?> Watchers => _watchers;

    /// <summary>Called by a watcher when its source may have changed; internal so that tests can report a change at a chosen moment.</summary>
    internal void OnSourceChanged()
    {
        lock (_gate)
        {
            if (_isDisposed)
            {
                // Stryker disable once Statement : after disposal a read started here ends before calling any source: ReadChainAsync checks the disposal token first
                return;
            }

            if (_inflight is not null)
            {
                _queuedForced ??= NewCompletion();
                return;
            }

            _ = StartReadLocked(forced: false);
        }
    }

    private void UpdateWatchersLocked()
    {
        if (_isDisposed)
        {
            // Stryker disable once Statement : reached only when disposal lands between a read's last disposal check and its outcome, a race no test can schedule; without it a watcher would be created after disposal and never disposed
            return;
        }

        if (!_watchersCreated)
        {
            _watchersCreated = true;
            for (var i = 0; i < _sources.Count; i++)
            {
                if (_ownedSources.Contains(_sources[i]))
                {
                    _watchers[i] = KeySourceWatchers.Create(_sources[i], OnSourceChanged, _time, _logger);
                }
            }
        }

        foreach (var watcher in _watchers)
        {
            watcher?.Update();
        }
    }

    private void DisposeWatchersLocked()
    {
        for (var i = 0; i < _watchers.Length; i++)
        {
            _watchers[i]?.Dispose();
        }
    }
}
