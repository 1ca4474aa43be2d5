namespace KeyVaulting.Provider.Internal;

/// <summary>
/// When the next background read happens: the refresh interval with ±10% jitter, earlier ahead of a key's expiry
/// (at 80% of its remaining lifetime), and exponential backoff with jitter after failures, or the store's retry-after
/// hint, up to <see cref="OpenAIKeyProviderOptions.MaxStaleness"/>.
/// </summary>
internal static class RefreshSchedule
{
    /// <summary>No background read is ever scheduled sooner than this, whatever the store says.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);

    /// <summary>The longest a timer can wait (<see cref="ITimer.Change"/> refuses more than 2^32 - 2 ms, about 49.7 days).</summary>
    public static readonly TimeSpan Ceiling = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static TimeSpan AfterSuccess(OpenAIKeyProviderOptions options, OpenAIKey key, DateTimeOffset now, double random)
    {
        var delay = options.RefreshInterval * (0.9 + (random * 0.2));
        if (key.ExpiresAt is { } expiresAt)
        {
            var ahead = (expiresAt - now) * 0.8;
            // Stryker disable once Equality : when ahead equals delay both branches leave the same delay
            if (ahead < delay)
            {
                delay = ahead;
            }
        }

        // Stryker disable once Equality : at exactly the floor both branches return the same value
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
            // The store's hint is honoured, but never past MaxStaleness (the key is stale by then anyway) nor past
            // what a timer can wait: a bogus Retry-After must not stop the refreshes.
            // Stryker disable once Equality : when MaxStaleness equals the ceiling both branches give the same value
            var longest = options.MaxStaleness < Ceiling ? options.MaxStaleness : Ceiling;
            // Stryker disable once Equality : when the hint equals the longest wait both branches return the same value
            delay = hint < longest ? hint : longest;
        }

        return delay;
    }
}
