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

    /// <summary>Called by a watcher when its source may have changed.</summary>
    private void OnSourceChanged()
    {
        lock (_gate)
        {
            if (_isDisposed)
            {
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
