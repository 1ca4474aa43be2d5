using KeyVaulting.Rotation.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// This application's own key provider over the rotation's store (<see cref="OpenAIKeyRotationOptions.ProviderName"/>):
/// refreshed when a key is promoted, and, before the key it replaced is revoked in the same run, awaited until it
/// serves the promoted key. A provider reads its store on demand at most once per <c>MinimumRefreshInterval</c>, so
/// the refresh at promotion can return the old key; revoking it then would fail this application's requests until
/// its next read.
/// </summary>
internal sealed class RotationConsumer(IOpenAIKeyProvider provider, TimeSpan minimumRefreshInterval, TimeSpan sourceTimeout, TimeProvider time)
{
    /// <summary>How often the provider is asked again while it still serves the replaced key.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets how long, at most, a revocation waits for the provider: one <c>MinimumRefreshInterval</c> (until a forced
    /// read is allowed again) plus one read (<c>SourceTimeout</c>).
    /// </summary>
    public TimeSpan CatchUpLimit => minimumRefreshInterval + sourceTimeout;

    /// <summary>Asks the provider to read its store now; returns the key it serves, or null when the read failed.</summary>
    public async Task<OpenAIKey?> RefreshAsync(string rotationName, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await provider.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpenAIKeyUnavailableException or OpenAIKeySourceException or ObjectDisposedException)
        {
            // The provider keeps its schedule; the grace period (or the wait before an immediate revocation) covers it.
            Log.ConsumerRefreshFailed(logger, rotationName, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// Waits until the provider serves <paramref name="promoted"/>, for at most <see cref="CatchUpLimit"/>. Returns
    /// false when it still serves another key then (its chain may read another source first): the caller revokes
    /// anyway, as asked, and the provider recovers through its 401 handling.
    /// </summary>
    public async Task<bool> WaitUntilServedAsync(OpenAIKey promoted, string rotationName, ILogger logger, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var served = await RefreshAsync(rotationName, logger, cancellationToken).ConfigureAwait(false);
            if (served is not null && served.Value == promoted.Value)
            {
                return true;
            }

            var left = CatchUpLimit - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.Delay(left < PollInterval ? left : PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
