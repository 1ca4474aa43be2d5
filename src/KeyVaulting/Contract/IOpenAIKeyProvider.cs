using Microsoft.Extensions.Primitives;

namespace KeyVaulting;

/// <summary>
/// Serves the current OpenAI API key from memory, kept fresh from an ordered chain of <see cref="IOpenAIKeySource"/>s.
/// </summary>
/// <remarks>
/// Register one with <c>services.AddOpenAIKeyProvider()</c>. The provider refreshes the key in the background, follows
/// rotations, and keeps serving the last known good key while a store is unavailable.
/// </remarks>
public interface IOpenAIKeyProvider
{
    /// <summary>
    /// Gets the current key. Once a key is loaded this is a memory read: no lock, no allocation, no I/O.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the first load; it does not cancel the load for other callers.</param>
    /// <returns>The current key.</returns>
    /// <exception cref="OpenAIKeyUnavailableException">No key was ever loaded and the sources have none now.</exception>
    ValueTask<OpenAIKey> GetKeyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-reads the sources now, for example after OpenAI answered 401, and returns the resulting key.
    /// </summary>
    /// <remarks>
    /// Concurrent calls share one read. Calls within <see cref="OpenAIKeyProviderOptions.MinimumRefreshInterval"/> of
    /// the last read get its result without reading again. When the read fails, the last known good key is returned.
    /// </remarks>
    /// <param name="cancellationToken">Cancels waiting; it does not cancel the read for other callers.</param>
    /// <returns>The key after the read: a new one if the store holds a new one, else the current one.</returns>
    /// <exception cref="OpenAIKeyUnavailableException">No key was ever loaded and the sources have none now.</exception>
    ValueTask<OpenAIKey> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets a change token that fires once when the key changes (a new value or a new version).</summary>
    /// <returns>A token for the next change; get a new one after it fires.</returns>
    IChangeToken GetChangeToken();
}
