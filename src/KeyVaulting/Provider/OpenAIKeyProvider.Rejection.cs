using KeyVaulting.Diagnostics;
using KeyVaulting.Provider.Internal;

namespace KeyVaulting.Provider;

/// <summary>
/// A key OpenAI rejects. After a 401 the provider either hands out the newer key it already holds or, when it still
/// serves the rejected key, knows the key is rejected until it serves another one or a request succeeds with it: the
/// health check reports Unhealthy, the <c>keyvaulting.key.rejected</c> gauge reads 1, a source that served the key and
/// then has none no longer keeps it (the chain falls through), and the sources are re-read on
/// <see cref="RejectedKeySchedule"/>: at once, then every second, backing off to <c>MinimumRefreshInterval</c>.
/// </summary>
internal sealed partial class OpenAIKeyProvider
{
    private volatile KeyRejection? _rejection;

    /// <summary>Gets a value indicating whether OpenAI rejects the key served and no source holds a newer one: one volatile read.</summary>
    internal bool IsKeyRejected() => _rejection is not null;

    /// <summary>
    /// Called after OpenAI answered 401 to <paramref name="rejected"/>: returns a newer key to send the request with once
    /// more, or the rejected key itself when no source holds a newer one yet (the caller then returns the 401).
    /// </summary>
    /// <remarks>
    /// The first 401 of a key the provider still serves starts the rejection and reads the sources at once (a read in
    /// flight is shared, or followed by one more when it may have started before the store was updated); within a
    /// second of the last forced read, the timer reads a second after it instead. Later 401s never start a read of
    /// their own before <see cref="RejectedKeySchedule.After"/> has passed since the last one: they share the read in
    /// flight, or return at once. Reads forced by <see cref="RefreshAsync"/> keep <c>MinimumRefreshInterval</c>.
    /// </remarks>
    /// <param name="rejected">The key the request carried.</param>
    /// <param name="errorCode">OpenAI's error code, for the health check (never a secret: a short identifier or '-').</param>
    /// <param name="cancellationToken">Cancels waiting for a read; not the read.</param>
    internal async ValueTask<OpenAIKey> RecoverAsync(OpenAIKey rejected, string errorCode, CancellationToken cancellationToken)
    {
        Task<OpenAIKey> read;
        lock (_gate)
        {
            // Stryker disable once Statement : without it the read started below fails with ObjectDisposedException before calling any source (ReadChainAsync checks the disposal token first): the caller gets the same exception
            ObjectDisposedException.ThrowIf(_isDisposed, this);
            if (_current is not { } current)
            {
                read = _inflight ?? StartReadLocked(forced: true);
            }
            else if (current != rejected)
            {
                // A rotation happened while the request was in flight.
                return current;
            }
            else
            {
                var rejection = _rejection;
                var starting = rejection is null;
                if (rejection is null)
                {
                    rejection = _rejection = new KeyRejection(current, errorCode, _time.GetUtcNow(), _time.GetTimestamp());
                    Log.KeyRejected(_logger, DisplayName, current.Fingerprint, current.Source, errorCode, RejectedKeySchedule.After(_options, int.MaxValue));
                }

                rejection.Requests++;
                if (_inflight is { } inflight)
                {
                    // The read in flight may have started before the store was updated: a starting rejection reads once
                    // more after it unless it already is a forced read.
                    read = starting && !_inflightForced && !WithinInterval(_lastForcedTimestamp, RejectedKeySchedule.Interval)
                        ? QueueForcedReadLocked()
                        : inflight;
                }
                else
                {
                    // A starting rejection has made no read yet: After(options, 0) is RejectedKeySchedule.Interval.
                    var spacing = RejectedKeySchedule.After(_options, rejection.Reads);
                    if (WithinInterval(_lastForcedTimestamp, spacing))
                    {
                        if (starting)
                        {
                            ScheduleLocked(spacing - _time.GetElapsedTime(_lastForcedTimestamp!.Value));
                        }

                        return current;
                    }

                    read = StartReadLocked(forced: true);
                }
            }
        }

        return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Called after a request succeeded with <paramref name="key"/>: ends its rejection, if any. A volatile read when
    /// no key is rejected, so that it can run after every answer.
    /// </summary>
    internal void ReportAccepted(OpenAIKey key)
    {
        if (_rejection is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_rejection is { } rejection && rejection.Key == key)
            {
                EndRejectionLocked(rejection, "a request succeeded with it");
            }
        }
    }

    private void EndRejectionLocked(KeyRejection rejection, string reason)
    {
        _rejection = null;
        Log.KeyRejectionEnded(_logger, DisplayName, rejection.Key.Fingerprint, reason, _time.GetElapsedTime(rejection.SinceTimestamp), rejection.Requests);
    }

    /// <summary>While a key is rejected, a read that kept it is followed by the next read of the rejection, if sooner than <paramref name="delay"/>.</summary>
    private TimeSpan WhileRejectedLocked(TimeSpan delay)
    {
        if (_rejection is not { } rejection)
        {
            return delay;
        }

        rejection.Reads++;
        var next = RejectedKeySchedule.Jittered(RejectedKeySchedule.After(_options, rejection.Reads), Random.Shared.NextDouble());
        // Stryker disable once Equality : when next equals delay both branches return the same value
        return next < delay ? next : delay;
    }

    /// <summary>Queues one forced read behind the read in flight (or joins the one queued), shared by every caller.</summary>
    private Task<OpenAIKey> QueueForcedReadLocked()
    {
        if (_queuedForced is null)
        {
            _lastForcedTimestamp = _time.GetTimestamp();
            _queuedForced = NewCompletion();
        }

        return _queuedForced.Task;
    }

    private bool WithinInterval(long? since, TimeSpan interval)
        => since is { } at && _time.GetElapsedTime(at) < interval;
}
