using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace KeyVaulting;

/// <summary>
/// Options of an <see cref="IOpenAIKeyProvider"/>: how often it refreshes, how it retries, and how long a key may
/// be served without a successful refresh.
/// </summary>
/// <remarks>
/// Bound from configuration with <c>services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"))</c>; every
/// setting is validated when the host starts.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Range and MaxLength are checked by the generated [OptionsValidator], which emits its own copies of them; the reflection they may use at run time (the TimeSpan converter, string length) is on types a trimmed app always keeps.")]
public sealed class OpenAIKeyProviderOptions
{
    /// <summary>
    /// Gets or sets how often the sources are re-read in the background. Each interval is jittered by ±10% so that
    /// many instances do not hit the store together. Default: 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets the minimum time between two reads forced by <see cref="IOpenAIKeyProvider.RefreshAsync"/>; calls
    /// inside it get the in-flight or latest result. Measured on the monotonic clock, so a step of the wall clock does
    /// not change it. Default: 5 seconds.
    /// </summary>
    /// <remarks>
    /// While OpenAI rejects the key the provider serves (a 401 through <c>AddOpenAIClient</c> or
    /// <c>AddOpenAIKeyHandler</c>) and no source holds a newer one, the provider re-reads its sources on its own: at
    /// once, then every second for five reads, then backing off by doubling to this interval (at least a second), where
    /// it stays until another key is served or a request succeeds with the key. However many 401s arrive, they make no
    /// more reads than that.
    /// </remarks>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the first retry delay after a failed refresh. Later retries double it, with jitter, up to
    /// <see cref="RefreshInterval"/>; a store's own retry-after hint is honoured, up to <see cref="MaxStaleness"/>.
    /// Default: 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long a key may be served without a successful refresh before the health check reports
    /// Unhealthy. The key keeps being served. Default: 24 hours.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Gets or sets how long one source may take to answer before the read counts as a transient failure. It holds
    /// whatever the source does: a fetch that ignores its cancellation token is abandoned, and the source is not called
    /// again until it ends (the next read waits for it, within its own timeout). It also bounds how long disposal waits
    /// for a read in flight and for each source's own disposal. Default: 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan SourceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a value indicating whether the first key is loaded when the host starts, so that an application
    /// with no key fails at startup with one clear error. When <see langword="false"/>, the first
    /// <see cref="IOpenAIKeyProvider.GetKeyAsync"/> loads it. Default: <see langword="true"/>.
    /// </summary>
    public bool LoadOnStartup { get; set; } = true;
}
