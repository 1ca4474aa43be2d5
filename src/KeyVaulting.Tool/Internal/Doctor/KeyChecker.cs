using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>
/// <c>--check-key</c>: calls <c>GET /v1/models</c> on the configured endpoint (<c>OpenAI:Endpoint</c>, OpenAI's by
/// default) with the served key and the configured <c>OpenAI-Organization</c> / <c>OpenAI-Project</c> headers, once,
/// within the time limit, without following redirects; reports whether OpenAI accepts the key, its error type
/// otherwise, and the organization and project OpenAI answers with.
/// </summary>
internal sealed class KeyChecker(IConfiguration configuration, TimeSpan timeout, TimeProvider time)
{
    private const int MaxErrorBody = 64 * 1024;
    private static readonly Uri OpenAIEndpoint = new("https://api.openai.com/v1/");

    /// <summary>Checks <paramref name="key"/>; never throws for what the server answers.</summary>
    public async Task<KeyCheckReport> CheckAsync(OpenAIKey key, DoctorReport report, CancellationToken cancellationToken)
    {
        var endpoint = ResolveEndpoint(out var problem);
        var check = new KeyCheckReport { Endpoint = endpoint?.ToString() ?? configuration["OpenAI:Endpoint"] ?? string.Empty, Result = "skipped" };
        if (endpoint is null)
        {
            report.Add(Severity.Error, "key-check-endpoint", problem!);
            return check;
        }

        if (KeyKinds.Of(key.Value) == KeyKinds.Admin)
        {
            check.ErrorMessage = "an admin key is not sent to the model API";
            return check;
        }

        var models = new Uri(endpoint, "models");
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, models);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        request.Headers.UserAgent.ParseAdd("keyvaulting-doctor/1.0");
        if (configuration["OpenAI:OrganizationId"] is { Length: > 0 } organization)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Organization", organization);
        }

        if (configuration["OpenAI:ProjectId"] is { Length: > 0 } project)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Project", project);
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var started = time.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token).ConfigureAwait(false);
            check.HttpStatus = (int)response.StatusCode;
            check.Organization = Header(response, "openai-organization");
            check.ProjectId = Header(response, "openai-project");
            if (response.IsSuccessStatusCode)
            {
                check.Result = "valid";
            }
            else
            {
                await ReadErrorAsync(response, check, bounded.Token).ConfigureAwait(false);
                check.Result = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? "rejected" : "error";
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            check.Result = "error";
            check.ErrorMessage = $"no answer within {timeout.TotalSeconds:0.#} s (--timeout)";
        }
        catch (HttpRequestException ex)
        {
            check.Result = "error";
            check.ErrorMessage = SecretShapes.Mask(ex.Message);
        }

        check.DurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
        AddFindings(check, key, report);
        return check;
    }

    private static void AddFindings(KeyCheckReport check, OpenAIKey key, DoctorReport report)
    {
        switch (check.Result)
        {
            case "valid":
                report.Add(Severity.Info, "key-valid", $"OpenAI accepts {key.Fingerprint} (organization {check.Organization ?? "not named"}, project {check.ProjectId ?? "not named"}).");
                break;
            case "rejected":
                report.Add(Severity.Error, "key-rejected", $"OpenAI rejects {key.Fingerprint} from {key.Source}: HTTP {check.HttpStatus} {check.ErrorType ?? string.Empty} {check.ErrorCode ?? string.Empty}. Put a valid key in the store (revoked keys stay rejected), or check OpenAI:OrganizationId and OpenAI:ProjectId.");
                break;
            case "error" when check.ErrorType == "insufficient_quota" || check.ErrorCode == "insufficient_quota":
                report.Add(Severity.Error, "key-no-quota", $"OpenAI accepts {key.Fingerprint} but its project has no quota left (insufficient_quota): every request will fail until billing is fixed.");
                break;
            default:
                report.Add(Severity.Warning, "key-check-failed", $"The key check did not get a clear answer from {check.Endpoint}: {check.ErrorMessage ?? $"HTTP {check.HttpStatus} {check.ErrorType}"}. Try again.");
                break;
        }
    }

    private Uri? ResolveEndpoint(out string? problem)
    {
        problem = null;
        var configured = configuration["OpenAI:Endpoint"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return OpenAIEndpoint;
        }

        if (!Uri.TryCreate(configured, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https") || endpoint.UserInfo.Length > 0)
        {
            problem = "OpenAI:Endpoint is not an absolute http or https address without user information; the key was not checked.";
            return null;
        }

        if (endpoint.Scheme == "http" && !endpoint.IsLoopback)
        {
            problem = $"OpenAI:Endpoint ({endpoint.Host}) is plain http to another machine: the key would travel unencrypted, so it was not sent. Use https.";
            return null;
        }

        return endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? SecretShapes.Mask(string.Join(",", values)) : null;

    private static async Task ReadErrorAsync(HttpResponseMessage response, KeyCheckReport check, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBody];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, read));
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                check.ErrorType = Text(error, "type");
                check.ErrorCode = Text(error, "code");
                check.ErrorMessage = Text(error, "message") is { } message ? SecretShapes.Mask(message) : null;
            }
        }
        catch (JsonException)
        {
            check.ErrorMessage = "the answer is not OpenAI's JSON error";
        }
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? SecretShapes.Mask(value.GetString()!) : null;
}
