using System.Globalization;
using System.Net.Http.Headers;
using KeyVaulting.Rotation.Internal.Admin;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// The test step: <c>GET {Endpoint}models</c> with the new key, which costs no tokens. A 401 or 403 is retried every
/// <see cref="RetryDelay"/> until <see cref="OpenAIKeyRotationOptions.TestTimeout"/> (a new key can take a moment to
/// work everywhere), then reported as a rejection; anything else that is not a success is a transient failure.
/// </summary>
internal sealed class KeyProbe(Func<HttpClient> http, Uri endpoint, TimeSpan requestTimeout, TimeSpan testTimeout, TimeProvider time)
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly Uri _models = new(endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/"), "models");

    /// <summary>Returns <see langword="null"/> when OpenAI accepts the key, else the rejection's status and error.</summary>
    public async Task<(int Status, AdminError Error)?> TestAsync(OpenAIKey key, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var answer = await SendAsync(key, cancellationToken).ConfigureAwait(false);
            if (answer.IsSuccess)
            {
                return null;
            }

            if (answer.Status is not (401 or 403))
            {
                throw new OpenAIKeyRotationException(
                    "test",
                    string.Create(CultureInfo.InvariantCulture, $"Testing the new key {key.Fingerprint} with GET {_models} got HTTP {answer.Status} ({answer.Error.Describe()}), which neither accepts nor rejects it; the key stays staged and the next run tests it again."),
                    isTransient: true,
                    statusCode: answer.Status,
                    errorType: answer.Error.Type,
                    errorCode: answer.Error.Code);
            }

            if (time.GetElapsedTime(started) + RetryDelay > testTimeout)
            {
                return (answer.Status, answer.Error);
            }

            await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AdminAnswer> SendAsync(OpenAIKey key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _models);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        using var timeout = new CancellationTokenSource(requestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await http().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;

            // Only an error body is read (its type and code); a model list is not needed.
            var body = status is >= 200 and < 300
                ? []
                : await HttpContentReader.ReadCappedAsync(response.Content, 64 * 1024, linked.Token).ConfigureAwait(false) ?? [];
            return new AdminAnswer(status, body);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OpenAIKeyRotationException("test", string.Create(CultureInfo.InvariantCulture, $"Testing the new key with GET {_models} got no answer within {requestTimeout} (RequestTimeout); the key stays staged and the next run tests it again."), isTransient: true, innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OpenAIKeyRotationException("test", $"Testing the new key with GET {_models} failed before OpenAI answered ({ex.HttpRequestError}); the key stays staged and the next run tests it again.", isTransient: true, innerException: ex);
        }
    }
}
