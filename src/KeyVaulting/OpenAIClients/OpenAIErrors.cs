using System.ClientModel;
using System.ClientModel.Primitives;
using KeyVaulting.OpenAIClients.Internal;

namespace KeyVaulting;

/// <summary>
/// Reads OpenAI's error answers, so that callers can react to what failed rather than to the HTTP status alone.
/// </summary>
public static class OpenAIErrors
{
    /// <summary>
    /// Tells whether a failed OpenAI call hit a rate limit (transient) or an exhausted quota (not transient).
    /// </summary>
    /// <param name="exception">The exception thrown by an OpenAI client method.</param>
    /// <returns>
    /// <see cref="OpenAIQuotaKind.InsufficientQuota"/> for a 429 <c>insufficient_quota</c>,
    /// <see cref="OpenAIQuotaKind.RateLimitExceeded"/> for any other 429, else <see cref="OpenAIQuotaKind.None"/>.
    /// </returns>
    /// <example>
    /// <code>
    /// catch (ClientResultException ex) when (OpenAIErrors.GetQuotaKind(ex) == OpenAIQuotaKind.InsufficientQuota)
    /// {
    ///     // No credits left: retrying cannot help.
    /// }
    /// </code>
    /// </example>
    public static OpenAIQuotaKind GetQuotaKind(ClientResultException exception)
    {
        Throw.IfNull(exception);
        var response = exception.GetRawResponse();
        return response is null ? FromStatus(exception.Status) : GetQuotaKind(response);
    }

    /// <summary>
    /// Tells whether an OpenAI answer is a rate limit (transient) or an exhausted quota (not transient), for callers
    /// of the protocol methods that get a <see cref="PipelineResponse"/> instead of an exception.
    /// </summary>
    /// <param name="response">The answer.</param>
    /// <returns>The kind of 429, or <see cref="OpenAIQuotaKind.None"/> when the answer is not a 429.</returns>
    public static OpenAIQuotaKind GetQuotaKind(PipelineResponse response)
    {
        Throw.IfNull(response);
        return response.Status != 429 ? OpenAIQuotaKind.None : OpenAIErrorBody.Read(response).QuotaKind;
    }

    /// <summary>
    /// Tells whether an OpenAI answer is a rate limit (transient) or an exhausted quota (not transient), for callers
    /// that use an <see cref="HttpClient"/> (for example with <c>AddOpenAIKeyHandler()</c>). At most 64 KiB of the body
    /// of a 429 is read (a body announced as longer is not read, and is not OpenAI's error), and the whole body can
    /// still be read afterwards.
    /// </summary>
    /// <param name="response">The answer.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The kind of 429, or <see cref="OpenAIQuotaKind.None"/> when the answer is not a 429.</returns>
    public static async Task<OpenAIQuotaKind> GetQuotaKindAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(response);
        if ((int)response.StatusCode != 429)
        {
            return OpenAIQuotaKind.None;
        }

        var body = await OpenAIErrorBody.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return body.QuotaKind;
    }

    private static OpenAIQuotaKind FromStatus(int status) => status == 429 ? OpenAIQuotaKind.RateLimitExceeded : OpenAIQuotaKind.None;
}
