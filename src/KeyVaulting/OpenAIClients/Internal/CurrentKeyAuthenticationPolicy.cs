using System.ClientModel.Primitives;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Sets <c>Authorization: Bearer &lt;current key&gt;</c> on every try of every request, reading the key from the
/// provider (a memory read once it is loaded), and remembers on the message which key was sent (<see cref="SentKey"/>)
/// so that the <see cref="OpenAIRetryPolicy"/> can tell, after a 401, whether a newer key exists.
/// </summary>
/// <remarks>
/// It runs per try (after the retry policy), so a retry after a 429 or a 5xx also picks up a key rotated meanwhile.
/// Nothing is shared between requests but the immutable header cache: no credential object is mutated.
/// </remarks>
internal sealed class CurrentKeyAuthenticationPolicy(IOpenAIKeyProvider provider) : AuthenticationPolicy
{
    private const string AuthorizationHeader = "Authorization";

    private readonly BearerHeaderCache _headers = new();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var pending = provider.GetKeyAsync(message.CancellationToken);

        // The synchronous SDK methods block only until the first key is loaded; afterwards this is a memory read.
        // ValueTask<T>.Result and AsTask().GetAwaiter().GetResult() both wait and both throw the original exception;
        // the condition only spares an allocation once the key is known.
        // Stryker disable once Conditional : see above, either branch behaves the same
        var key = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        Apply(message, key);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var pending = provider.GetKeyAsync(message.CancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return ProcessOnceKeyLoadedAsync(pending, message, pipeline, currentIndex);
        }

        // The key is known (every request after the first): no state machine at all, the rest of the pipeline's
        // ValueTask is handed back as it is.
        Apply(message, pending.Result);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private async ValueTask ProcessOnceKeyLoadedAsync(ValueTask<OpenAIKey> pending, PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message, await pending.ConfigureAwait(false));
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private void Apply(PipelineMessage message, OpenAIKey key)
    {
        message.Request.Headers.Set(AuthorizationHeader, _headers.Get(key));
        SentKey.Set(message, key);
    }
}
