using System.Net.Http.Json;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// For raw REST callers of <see cref="HttpClient"/>: sets <c>Authorization: Bearer &lt;current key&gt;</c> and the
/// organization and project headers on requests to the client's OpenAI origin, and after a 401 from the address the
/// request was made for sends it once more when a newer key exists.
/// </summary>
/// <remarks>
/// <para>
/// A request to any other origin (an image URL an answer returned, say) goes without the key and without the OpenAI
/// headers; the first one to each origin is logged. A request that was redirected is never sent again with a key:
/// <see cref="HttpClient"/> follows a redirect below this handler by pointing the same request at the new address, so
/// sending it again would hand the key to the redirect's target.
/// </para>
/// <para>
/// The extra send reuses the request, so its content must be readable twice: no content, <c>StringContent</c>,
/// <c>ByteArrayContent</c>, <c>ReadOnlyMemoryContent</c>, <c>JsonContent</c> and multipart content made of those
/// are; for any other content (a stream may be forward-only) the 401 is returned, and later requests use the new key.
/// </para>
/// </remarks>
internal sealed class OpenAIKeyHandler(
    IOpenAIKeyProvider provider,
    KeyRejectionRecovery recovery,
    OpenAIKeyDestination destination,
    RefusedOrigins refused,
    string clientName,
    string? organizationId,
    string? projectId) : DelegatingHandler
{
    private const string AuthorizationHeader = "Authorization";
    private const string OrganizationHeader = "OpenAI-Organization";
    private const string ProjectHeader = "OpenAI-Project";

    private readonly BearerHeaderCache _headers = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { } target || !destination.Allows(target))
        {
            ReportWithoutKey(request.RequestUri);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var pending = provider.GetKeyAsync(cancellationToken);
        // Stryker disable once Conditional : both branches give the same key; the test only spares an await when the key is known
        var key = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        Apply(request, key);

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!AnsweredBy(target, request, response))
        {
            // Redirected: the answer, whatever it is, came from an address the key does not go to.
            if ((int)response.StatusCode == 401)
            {
                OpenAILog.RedirectedRequestRejected(recovery.Logger, recovery.ProviderName, destination.Described, OpenAIKeyHttpClientLogger.Describe(response.RequestMessage?.RequestUri ?? request.RequestUri));
            }

            return response;
        }

        if ((int)response.StatusCode == 401)
        {
            var error = await OpenAIErrorBody.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            var replacement = await recovery.FindReplacementAsync(key, error, CanResend(request.Content), cancellationToken).ConfigureAwait(false);
            if (replacement is not null)
            {
                // Free the connection of the rejected answer before sending again.
                response.Dispose();
                key = replacement;
                Apply(request, key);
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!AnsweredBy(target, request, response))
                {
                    return response;
                }

                if ((int)response.StatusCode == 401)
                {
                    recovery.ReportRejectedAgain(key, await OpenAIErrorBody.ReadAsync(response, cancellationToken).ConfigureAwait(false));
                }
            }
        }

        if ((int)response.StatusCode == 429)
        {
            recovery.ReportTooManyRequests(key, await OpenAIErrorBody.ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }
        else if (recovery.AwaitsAcceptance && response.IsSuccessStatusCode)
        {
            recovery.ReportAccepted(key);
        }

        return response;
    }

    /// <summary>
    /// Returns whether the answer came from the address the request was made for: not after a redirect, which points
    /// the request (or, under a handler that copies requests, the copy the answer names) at another address.
    /// </summary>
    private static bool AnsweredBy(Uri target, HttpRequestMessage request, HttpResponseMessage response)
        => target.Equals(request.RequestUri) && (response.RequestMessage?.RequestUri is not { } answered || target.Equals(answered));

    private void ReportWithoutKey(Uri? target)
    {
        if (target is { IsAbsoluteUri: true } && refused.FirstTime(OpenAIOrigin.Of(target)))
        {
            OpenAILog.SentWithoutKey(recovery.Logger, clientName, OpenAIOrigin.Describe(target), recovery.ProviderName, destination.Described, destination.Setting);
        }
    }

    private void Apply(HttpRequestMessage request, OpenAIKey key)
    {
        var headers = request.Headers;
        headers.Remove(AuthorizationHeader);
        headers.TryAddWithoutValidation(AuthorizationHeader, _headers.Get(key));

        if (organizationId is not null)
        {
            headers.Remove(OrganizationHeader);
            headers.TryAddWithoutValidation(OrganizationHeader, organizationId);
        }

        if (projectId is not null)
        {
            headers.Remove(ProjectHeader);
            headers.TryAddWithoutValidation(ProjectHeader, projectId);
        }
    }

    private static bool CanResend(HttpContent? content) => content switch
    {
        null => true,
        ByteArrayContent or ReadOnlyMemoryContent or JsonContent => true, // StringContent and FormUrlEncodedContent are ByteArrayContent.
        MultipartContent multipart => multipart.All(CanResend),
        _ => false,
    };
}
