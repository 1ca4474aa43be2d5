using System.ClientModel.Primitives;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The SDK's retry policy with two corrections for OpenAI: a 429 <c>insufficient_quota</c> is not retried (it cannot
/// succeed until someone adds credits, and every retry is a wasted call), and a server's own retry hint
/// (<c>retry-after-ms</c>, <c>retry-after</c>) of at most a minute is followed even when it is shorter than the
/// exponential backoff. Waits run on the application's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class OpenAIRetryPolicy(int maxRetries, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
    : ClientRetryPolicy(maxRetries, enableLogging: true, loggerFactory)
{
    private static readonly TimeSpan MaxHonouredRetryAfter = TimeSpan.FromSeconds(60);

    protected override bool ShouldRetry(PipelineMessage message, Exception? exception)
    {
        if (exception is null && message.Response is { Status: 429 } response
            && OpenAIErrorBody.Read(response).QuotaKind == OpenAIQuotaKind.InsufficientQuota)
        {
            return false;
        }

        return base.ShouldRetry(message, exception);
    }

    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception)
    {
        if (exception is null && message.Response is { Status: 429 } response
            && (await OpenAIErrorBody.ReadAsync(response, message.CancellationToken).ConfigureAwait(false)).QuotaKind == OpenAIQuotaKind.InsufficientQuota)
        {
            return false;
        }

        // The base class's rules (retry count, transient statuses and exceptions), without reading the body again.
        return base.ShouldRetry(message, exception);
    }

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        if (message.Response is { } response && TryGetRetryAfter(response, timeProvider, out var hint)
            && hint > TimeSpan.Zero && hint <= MaxHonouredRetryAfter)
        {
            return hint;
        }

        return base.GetNextDelay(message, tryCount);
    }

    protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken)
        => Task.Delay(time, timeProvider, cancellationToken);

    protected override void Wait(TimeSpan time, CancellationToken cancellationToken)
        => Task.Delay(time, timeProvider, cancellationToken).GetAwaiter().GetResult();

    internal static bool TryGetRetryAfter(PipelineResponse response, TimeProvider timeProvider, out TimeSpan delay)
    {
        if (TryGetMilliseconds(response, "retry-after-ms", out delay) || TryGetMilliseconds(response, "x-ms-retry-after-ms", out delay))
        {
            return true;
        }

        if (response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
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
        if (response.Headers.TryGetValue(header, out var value) && value is not null
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
