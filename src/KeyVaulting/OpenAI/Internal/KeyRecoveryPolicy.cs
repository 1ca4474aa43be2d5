using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// A per-call policy (it runs before the retry policy): after a 401 it asks <see cref="KeyRejectionRecovery"/> for a
/// newer key and, when there is one, sends the request once more; it logs what a 429 that reaches the caller means.
/// </summary>
/// <remarks>
/// Being per call, the single extra send goes through the whole retry policy again, and it happens at most once per
/// request whatever the second answer is.
/// </remarks>
internal sealed class KeyRecoveryPolicy(KeyRejectionRecovery recovery) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);

        if (message.Response is { Status: 401 } rejected && CurrentKeyAuthenticationPolicy.TryGetSentKey(message, out var sent))
        {
            var error = OpenAIErrorBody.Read(rejected);
            var replacement = recovery.FindReplacementAsync(sent, error, canResend: true, message.CancellationToken).AsTask().GetAwaiter().GetResult();
            if (replacement is not null)
            {
                message.ExtractResponse()?.Dispose();
                ProcessNext(message, pipeline, currentIndex);
                ReportSecondRejection(message, OpenAIErrorBody.Read);
            }
        }

        if (message.Response is { Status: 429 } throttled)
        {
            CurrentKeyAuthenticationPolicy.TryGetSentKey(message, out var key);
            recovery.ReportTooManyRequests(key, OpenAIErrorBody.Read(throttled));
        }
    }

    // Pooled: the request is truly asynchronous, so this method always suspends; a pooled state machine keeps that
    // from allocating a box per request (measured in tests/KeyVaulting.Benchmarks, ChatClientBenchmarks).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);

        if (message.Response is { Status: 401 } rejected && CurrentKeyAuthenticationPolicy.TryGetSentKey(message, out var sent))
        {
            var error = await OpenAIErrorBody.ReadAsync(rejected, message.CancellationToken).ConfigureAwait(false);
            var replacement = await recovery.FindReplacementAsync(sent, error, canResend: true, message.CancellationToken).ConfigureAwait(false);
            if (replacement is not null)
            {
                // Free the connection of the rejected answer before sending again.
                message.ExtractResponse()?.Dispose();
                await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
                if (message.Response is { Status: 401 } again)
                {
                    var secondError = await OpenAIErrorBody.ReadAsync(again, message.CancellationToken).ConfigureAwait(false);
                    ReportSecondRejection(message, _ => secondError);
                }
            }
        }

        if (message.Response is { Status: 429 } throttled)
        {
            CurrentKeyAuthenticationPolicy.TryGetSentKey(message, out var key);
            var error = await OpenAIErrorBody.ReadAsync(throttled, message.CancellationToken).ConfigureAwait(false);
            recovery.ReportTooManyRequests(key, error);
        }
    }

    private void ReportSecondRejection(PipelineMessage message, Func<PipelineResponse, OpenAIErrorBody> readError)
    {
        if (message.Response is { Status: 401 } again && CurrentKeyAuthenticationPolicy.TryGetSentKey(message, out var resent))
        {
            recovery.ReportRejectedAgain(resent, readError(again));
        }
    }
}
