using System.ClientModel.Primitives;
using System.Diagnostics.CodeAnalysis;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Remembers on a message which key its latest try carried, so that <see cref="OpenAIRetryPolicy"/> can tell after a
/// 401 whether a newer key exists. Set by every policy that puts a key on a request (the OpenAI <c>Bearer</c> header,
/// Azure OpenAI's <c>api-key</c> header).
/// </summary>
internal static class SentKey
{
    public static void Set(PipelineMessage message, OpenAIKey key) => message.SetProperty(typeof(SentKey), key);

    public static bool TryGet(PipelineMessage message, [NotNullWhen(true)] out OpenAIKey? key)
    {
        if (message.TryGetProperty(typeof(SentKey), out var value) && value is OpenAIKey sent)
        {
            key = sent;
            return true;
        }

        key = null;
        return false;
    }
}
