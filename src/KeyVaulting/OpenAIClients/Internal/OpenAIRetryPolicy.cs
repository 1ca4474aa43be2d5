using System.ClientModel.Primitives;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The SDK's retry policy with KeyVaulting's rules for OpenAI: after a 401, when the provider has (or, re-read, finds)
/// a newer key, the request is sent once more at once with it; a 429 <c>insufficient_quota</c> is not retried (it
/// cannot succeed until someone adds credits, and every retry is a wasted call); a server's own retry hint
/// (<c>retry-after-ms</c>, <c>retry-after</c>) of at most a minute is followed even when it is shorter than the
/// exponential backoff; and a 429 that reaches the caller is logged with what to do. Waits run on the application's
/// <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// The 401 recovery lives here rather than in a policy of its own so that a request goes through no async method of
/// KeyVaulting's once the key is known: the SDK's retry loop already looks at every answer. The extra send after a 401
/// happens at most once per request, whatever <c>MaxRetries</c> is (also 0), and counts as one of its tries.
/// </remarks>
internal sealed class OpenAIRetryPolicy(int maxRetries, KeyRejectionRecovery recovery, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
    : ClientRetryPolicy(maxRetries, enableLogging: true, loggerFactory)
{
    private static readonly TimeSpan MaxHonouredRetryAfter = TimeSpan.FromSeconds(60);

    protected override bool ShouldRetry(PipelineMessage message, Exception? exception)
    {
        if (exception is null && message.Response is { Status: 401 or 429 } response)
        {
            var error = OpenAIErrorBody.Read(response);
            if (response.Status == 429)
            {
                return ShouldRetryTooManyRequests(message, error);
            }

            // The synchronous SDK methods block here only after a 401, while the provider re-reads its sources.
            return TryBeginResend(message, error, out var sent)
                && recovery.FindReplacementAsync(sent, error, canResend: true, message.CancellationToken).AsTask().GetAwaiter().GetResult() is not null;
        }

        return base.ShouldRetry(message, exception) && !AsksToWaitTooLong(message);
    }

    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception)
    {
        if (exception is null && message.Response is { Status: 401 or 429 } response)
        {
            var error = await OpenAIErrorBody.ReadAsync(response, message.CancellationToken).ConfigureAwait(false);
            if (response.Status == 429)
            {
                return ShouldRetryTooManyRequests(message, error);
            }

            if (!TryBeginResend(message, error, out var sent))
            {
                return false;
            }

            return await recovery.FindReplacementAsync(sent, error, canResend: true, message.CancellationToken).ConfigureAwait(false) is not null;
        }

        // The base class's rules (retry count, transient statuses and exceptions), without reading the body again.
        return base.ShouldRetry(message, exception) && !AsksToWaitTooLong(message);
    }

    /// <summary>
    /// After every try: a success with a key OpenAI had rejected ends the rejection (the provider's health returns to
    /// Healthy). One volatile read when no key is rejected.
    /// </summary>
    protected override void OnRequestSent(PipelineMessage message)
    {
        if (recovery.AwaitsAcceptance && message.Response is { Status: >= 200 and < 300 }
            && SentKey.TryGet(message, out var key))
        {
            recovery.ReportAccepted(key);
        }
    }

    protected override ValueTask OnRequestSentAsync(PipelineMessage message)
    {
        OnRequestSent(message);
        return default;
    }

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        if (message.Response is { Status: 401 })
        {
            // The extra send with a newer key: nothing to wait for.
            return TimeSpan.Zero;
        }

        // A hint of more than a minute never gets here: ShouldRetry returned the answer to the caller.
        if (message.Response is { } response && TryGetRetryAfter(response, timeProvider, out var hint) && hint > TimeSpan.Zero)
        {
            return hint;
        }

        return base.GetNextDelay(message, tryCount);
    }

    protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken)
        => Task.Delay(time, timeProvider, cancellationToken);

    protected override void Wait(TimeSpan time, CancellationToken cancellationToken)
        => Task.Delay(time, timeProvider, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Returns the key a 401 rejected when the request may still be sent once more with another; on the answer to
    /// that extra send, logs that the newer key was rejected too and returns <see langword="false"/>.
    /// </summary>
    private bool TryBeginResend(PipelineMessage message, OpenAIErrorBody error, [NotNullWhen(true)] out OpenAIKey? sent)
    {
        if (!SentKey.TryGet(message, out sent))
        {
            // Stryker disable once Boolean : unreachable: an answer comes only to a try that passed the key policy (CurrentKeyAuthenticationPolicy, CurrentApiKeyPolicy), which sets SentKey before sending
            return false;
        }

        if (message.TryGetProperty(typeof(OpenAIRetryPolicy), out _))
        {
            recovery.ReportRejectedAgain(sent, error);
            sent = null;
            return false;
        }

        // Stryker disable once Boolean : only the property's presence is read (TryGetProperty above, value discarded), never its value
        message.SetProperty(typeof(OpenAIRetryPolicy), true);
        return true;
    }

    private bool ShouldRetryTooManyRequests(PipelineMessage message, OpenAIErrorBody error)
    {
        var retry = error.QuotaKind != OpenAIQuotaKind.InsufficientQuota && base.ShouldRetry(message, exception: null) && !AsksToWaitTooLong(message);
        if (!retry)
        {
            SentKey.TryGet(message, out var key);
            recovery.ReportTooManyRequests(key, error);
        }

        return retry;
    }

    /// <summary>
    /// Whether the answer asks to wait more than a minute before the next try: then it is returned to the caller at
    /// once (the SDK's own policy would wait as long as the answer says, an hour if it says so), and logged.
    /// </summary>
    private bool AsksToWaitTooLong(PipelineMessage message)
    {
        if (message.Response is not { } response || !TryGetRetryAfter(response, timeProvider, out var hint) || hint <= MaxHonouredRetryAfter)
        {
            return false;
        }

        SentKey.TryGet(message, out var key);
        recovery.ReportLongRetryHint(key, response.Status, hint);
        return true;
    }

    internal static bool TryGetRetryAfter(PipelineResponse response, TimeProvider timeProvider, out TimeSpan delay)
    {
        if (TryGetMilliseconds(response, "retry-after-ms", out delay) || TryGetMilliseconds(response, "x-ms-retry-after-ms", out delay))
        {
            return true;
        }

        // double.TryParse and DateTimeOffset.TryParse refuse a null value: no separate null check.
        if (response.Headers.TryGetValue("Retry-After", out var value))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
            {
                delay = TimeSpan.FromSeconds(seconds);
                return true;
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                delay = at - timeProvider.GetUtcNow();
                return true;
            }
        }

        delay = default;
        return false;
    }

    private static bool TryGetMilliseconds(PipelineResponse response, string header, out TimeSpan delay)
    {
        if (response.Headers.TryGetValue(header, out var value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0 && milliseconds < TimeSpan.MaxValue.TotalMilliseconds)
        {
            delay = TimeSpan.FromMilliseconds(milliseconds);
            return true;
        }

        delay = default;
        return false;
    }
}
