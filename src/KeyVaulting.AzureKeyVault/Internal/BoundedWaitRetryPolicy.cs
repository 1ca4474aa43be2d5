using Azure.Core;
using Azure.Core.Pipeline;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// The Azure SDK's retry policy with the client options' retries and delays, except that it does not wait inside a
/// read when Key Vault asks for a long pause (<c>Retry-After</c> above <see cref="MaxInlineWait"/>). The read then
/// fails at once with that hint, and the provider waits instead: it keeps serving the last good key rather than
/// sleeping through its source timeout and losing the hint.
/// </summary>
internal sealed class BoundedWaitRetryPolicy(TimeProvider timeProvider, RetryOptions retry)
    : RetryPolicy(
        retry.MaxRetries,
        retry.Mode == RetryMode.Fixed ? DelayStrategy.CreateFixedDelayStrategy(retry.Delay) : DelayStrategy.CreateExponentialDelayStrategy(retry.Delay, retry.MaxDelay))
{
    public static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(5);

    protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        => base.ShouldRetry(message, exception) && !AsksForLongWait(message);

    protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        => await base.ShouldRetryAsync(message, exception).ConfigureAwait(false) && !AsksForLongWait(message);

    private bool AsksForLongWait(HttpMessage message)
        => message.HasResponse
           && RetryAfter.Parse(name => message.Response.Headers.TryGetValue(name, out var value) ? value : null, timeProvider.GetUtcNow()) is { } wait
           && wait > MaxInlineWait;
}
