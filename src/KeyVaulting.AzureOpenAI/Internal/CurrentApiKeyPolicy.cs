using System.ClientModel.Primitives;
using KeyVaulting.OpenAIClients.Internal;

namespace KeyVaulting.AzureOpenAI.Internal;

/// <summary>
/// Sets Azure OpenAI's <c>api-key</c> header to the provider's current key on every try of every request, and
/// remembers on the message which key was sent (<see cref="SentKey"/>) for the 401 resend of
/// <see cref="OpenAIRetryPolicy"/>.
/// </summary>
/// <remarks>
/// It runs last before the transport, after the client's own key policy, so the header it sets is the one sent: the
/// client is constructed with <see cref="Placeholder"/>, which never reaches the wire. The key is read per try, so a
/// retry after a 429 or a 5xx also carries a key rotated meanwhile. Nothing is shared between requests.
/// </remarks>
internal sealed class CurrentApiKeyPolicy(IOpenAIKeyProvider provider) : PipelinePolicy
{
    /// <summary>The constructor's required credential; overwritten on every try, never sent, not a secret.</summary>
    public const string Placeholder = "keyvaulting-replaces-this-on-every-request";

    private const string ApiKeyHeader = "api-key";

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var pending = provider.GetKeyAsync(message.CancellationToken);

        // The synchronous SDK methods block only until the first key is loaded; afterwards this is a memory read.
        Apply(message, pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult());
        ProcessNext(message, pipeline, currentIndex);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var pending = provider.GetKeyAsync(message.CancellationToken);
        Apply(message, pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false));
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private static void Apply(PipelineMessage message, OpenAIKey key)
    {
        message.Request.Headers.Set(ApiKeyHeader, key.Value);
        SentKey.Set(message, key);
    }
}
