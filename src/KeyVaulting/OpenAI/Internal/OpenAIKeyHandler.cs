using System.Net.Http.Json;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// For raw REST callers of <see cref="HttpClient"/>: sets <c>Authorization: Bearer &lt;current key&gt;</c> and the
/// organization and project headers, and after a 401 sends the request once more when a newer key exists.
/// </summary>
/// <remarks>
/// The extra send reuses the request, so its content must be readable twice: no content, <c>StringContent</c>,
/// <c>ByteArrayContent</c>, <c>ReadOnlyMemoryContent</c>, <c>JsonContent</c> and multipart content made of those
/// are; for any other content (a stream may be forward-only) the 401 is returned, and later requests use the new key.
/// </remarks>
internal sealed class OpenAIKeyHandler(
    IOpenAIKeyProvider provider,
    KeyRejectionRecovery recovery,
    string? organizationId,
    string? projectId) : DelegatingHandler
{
    private const string AuthorizationHeader = "Authorization";
    private const string OrganizationHeader = "OpenAI-Organization";
    private const string ProjectHeader = "OpenAI-Project";

    private readonly BearerHeaderCache _headers = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pending = provider.GetKeyAsync(cancellationToken);
        var key = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        Apply(request, key);

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
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

        return response;
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
