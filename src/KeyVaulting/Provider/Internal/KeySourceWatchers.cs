using KeyVaulting.Sources.DotEnv;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Provider.Internal;

/// <summary>The sources that can be watched, and their watchers: today the <c>.env</c> file source.</summary>
internal static class KeySourceWatchers
{
    /// <summary>Creates a watcher for <paramref name="source"/>, or returns null for a source that cannot be watched.</summary>
    /// <param name="source">A source the provider owns.</param>
    /// <param name="changed">Called (debounced) when the source may have changed.</param>
    /// <param name="time">The provider's clock.</param>
    /// <param name="logger">The provider's logger.</param>
    public static IKeySourceWatcher? Create(IOpenAIKeySource source, Action changed, TimeProvider time, ILogger logger)
        => source is DotEnvFileKeySource dotEnv ? new DotEnvFileWatcher(dotEnv, changed, time, logger) : null;
}
