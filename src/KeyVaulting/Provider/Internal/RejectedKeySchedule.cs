namespace KeyVaulting.Provider.Internal;

/// <summary>
/// How often the sources are re-read while OpenAI rejects the key a provider serves and no source holds a newer one:
/// the store is then the only way out, so it is read at once, then every second for the first
/// <see cref="FastReads"/> reads (when a key written in a hurry lands), then backing off by doubling to
/// <see cref="OpenAIKeyProviderOptions.MinimumRefreshInterval"/> (at least a second), where it stays until the
/// rejection ends. A 401 never reads more often than this, however many arrive: a 401 storm is not a store storm.
/// </summary>
internal static class RejectedKeySchedule
{
    /// <summary>The shortest time between two reads of a rejection: one second.</summary>
    public static readonly TimeSpan Interval = RefreshSchedule.Floor;

    /// <summary>The reads spaced by <see cref="Interval"/> before the backoff starts.</summary>
    public const int FastReads = 5;

    /// <summary>Returns the time between the end of read number <paramref name="reads"/> of a rejection and the next read.</summary>
    public static TimeSpan After(OpenAIKeyProviderOptions options, int reads)
    {
        // Stryker disable once Equality : when MinimumRefreshInterval is one second both branches give one second
        var cap = options.MinimumRefreshInterval > Interval ? options.MinimumRefreshInterval : Interval;
        // Stryker disable once Equality : read number FastReads backs off by 2^0, which is Interval too
        if (reads <= FastReads)
        {
            return Interval;
        }

        var delay = Interval * Math.Pow(2, Math.Min(reads - FastReads, 20));
        // Stryker disable once Equality : when the delay equals the cap both branches return the same value
        return delay < cap ? delay : cap;
    }

    /// <summary>Spreads the reads of many instances rejected together: 0–10% later, never sooner.</summary>
    public static TimeSpan Jittered(TimeSpan delay, double random) => delay * (1 + (random * 0.1));
}
