namespace KeyVaulting.Tool.Internal.Set;

/// <summary>
/// Writes a key into a vault's secret that a source reads, as a new current version, with the store package's own
/// client and the source's own settings and credentials (so the tool talks to the store exactly as the application does).
/// </summary>
internal interface IStoreKeyWriter : IDisposable
{
    /// <summary>Writes <paramref name="key"/> as the secret's new current version (with <c>JsonField</c>: that field only).</summary>
    /// <exception cref="ToolFailureException">The store refused or failed the write; the message names the source and the fix, and nothing secret.</exception>
    Task<StoreWrite> WriteAsync(string key, CancellationToken cancellationToken);
}
