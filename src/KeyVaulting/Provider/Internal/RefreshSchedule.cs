namespace KeyVaulting.Provider.Internal;

/// <summary>
/// When the next background read happens: the refresh interval with ±10% jitter, earlier ahead of a key's expiry
/// (at 80% of its remaining lifetime), and exponential backoff with jitter after failures.
/// </summary>
internal static class RefreshSchedule
{
    /// <summary>No background read is ever scheduled sooner than this, whatever the store says.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);

    public static TimeSpan AfterSuccess(OpenAIKeyProviderOptions options, OpenAIKey key, DateTimeOffset now, double random)
    {
        var delay = options.RefreshInterval * (0.9 + (random * 0.2));
        if (key.ExpiresAt is { } expiresAt)
        {
            var ahead = (expiresAt - now) * 0.8;
            if (ahead < delay)
            {
                delay = ahead;
            }
        }

        return delay < Floor ? Floor : delay;
    }

    public static TimeSpan AfterFailure(OpenAIKeyProviderOptions options, int consecutiveFailures, TimeSpan? retryAfter, double random)
    {
        var exponent = Math.Min(Math.Max(consecutiveFailures - 1, 0), 30);
        var cap = options.RefreshInterval.TotalMilliseconds;
        var baseDelay = Math.Min(options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, exponent), cap);
        var jittered = Math.Min(baseDelay * (0.8 + (random * 0.4)), cap);
        var delay = TimeSpan.FromMilliseconds(jittered);

        if (retryAfter is { } hint && hint > delay)
        {
            delay = hint;
        }

        return delay;
    }
}
