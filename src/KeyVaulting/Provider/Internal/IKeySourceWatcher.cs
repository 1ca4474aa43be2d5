namespace KeyVaulting.Provider.Internal;

/// <summary>
/// Tells a provider at once that one of its sources changed (a saved <c>.env</c> file), so that it reads the chain
/// without waiting for the next refresh. The periodic refresh stays the fallback whenever the watcher cannot watch.
/// Created and disposed by the provider, only for sources the provider owns.
/// </summary>
internal interface IKeySourceWatcher : IDisposable
{
    /// <summary>Follows the source after a read: watches what it reads now, or watches again after an error.</summary>
    void Update();
}
