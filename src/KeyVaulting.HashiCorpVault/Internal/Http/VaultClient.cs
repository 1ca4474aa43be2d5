using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using KeyVaulting.HashiCorpVault.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>
/// A focused client of Vault's HTTP API: sends one request with the token, namespace and <c>X-Vault-Request</c>
/// headers, reads at most <see cref="VaultDefaults.MaxResponseBytes"/> of the answer and parses Vault's JSON envelope.
/// Transport failures become <see cref="OpenAIKeySourceException"/>s that name Vault's address and the fix.
/// </summary>
internal sealed class VaultClient : IDisposable
{
    private const int MaxMessageLength = 300;

    private readonly Func<HttpClient> _httpClient;
    private readonly HttpClient? _ownedClient;
    private readonly Uri _apiBase;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public VaultClient(string sourceName, Uri address, string? vaultNamespace, Func<HttpClient> httpClient, HttpClient? ownedClient, TimeProvider time, VaultRedactor redactor, ILogger logger)
    {
        _logger = logger;
        SourceName = sourceName;
        Address = address;
        Namespace = vaultNamespace;
        _httpClient = httpClient;
        _ownedClient = ownedClient;
        _time = time;
        Redactor = redactor;

        var text = address.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _apiBase = new Uri(text + "/v1/", UriKind.Absolute);
    }

    public string SourceName { get; }

    public Uri Address { get; }

    public string? Namespace { get; }

    public VaultRedactor Redactor { get; }

    /// <summary>Sends a request to <c>/v1/{logicalPath}</c>.</summary>
    /// <param name="method">GET or POST.</param>
    /// <param name="logicalPath">The unescaped API path, for example <c>secret/data/openai</c>.</param>
    /// <param name="query">A query string starting with <c>?</c>, or null.</param>
    /// <param name="token">The Vault token, or null for login endpoints.</param>
    /// <param name="body">A flat JSON object to post, or null.</param>
    /// <param name="operation">What is being done, for messages: <c>the read of secret/data/openai</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Vault's answer; the caller disposes it.</returns>
    /// <exception cref="OpenAIKeySourceException">Vault could not be reached, or its answer was too large or not JSON.</exception>
    public async Task<VaultResponse> SendAsync(
        HttpMethod method,
        string logicalPath,
        string? query,
        string? token,
        IReadOnlyList<KeyValuePair<string, string>>? body,
        string operation,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_apiBase, VaultPaths.Escape(logicalPath) + query));
        request.Headers.TryAddWithoutValidation("X-Vault-Request", "true");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Token", token);
        }

        if (Namespace is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Namespace", Namespace);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(SerializeBody(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        HttpResponseMessage response;
        try
        {
            response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException tls)
        {
            throw new OpenAIKeySourceException(
                SourceName,
                $"{SourceName} could not establish a TLS connection to Vault at {Address} for {operation}: {tls.Message} " +
                $"If Vault's certificate is issued by a private CA, set CaCertificatePath (or the {VaultDefaults.CaCertificateVariable} environment variable) to that CA's PEM file.",
                isTransient: false,
                innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OpenAIKeySourceException(
                SourceName,
                $"{SourceName} could not reach Vault at {Address} for {operation} ({ex.HttpRequestError}: {ex.Message}). Check Address (or {VaultDefaults.AddressVariable}) and that Vault is running.",
                isTransient: true,
                innerException: ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenAIKeySourceException(
                SourceName,
                $"{SourceName}: Vault at {Address} did not answer {operation} in time (HttpClient.Timeout).",
                isTransient: true,
                innerException: ex);
        }

        using (response)
        {
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                throw Redirected(response, operation);
            }

            byte[] bytes;
            try
            {
                bytes = await ReadCappedAsync(response, operation, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new OpenAIKeySourceException(
                    SourceName,
                    string.Create(CultureInfo.InvariantCulture, $"{SourceName}: the connection to Vault at {Address} broke while reading its answer to {operation} (HTTP {(int)response.StatusCode}); it is retried with backoff."),
                    isTransient: true,
                    innerException: ex);
            }

            var document = Parse(bytes, response, operation);
            var warnings = Messages(document, "warnings");
            if (warnings.Count > 0)
            {
                Log.VaultWarnings(_logger, SourceName, operation, string.Join("; ", warnings));
            }

            return new VaultResponse(response.StatusCode, document, Messages(document, "errors"), warnings, RetryAfter(response));
        }
    }

    public void Dispose() => _ownedClient?.Dispose();

    private static byte[] SerializeBody(IReadOnlyList<KeyValuePair<string, string>> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in body)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > VaultDefaults.MaxResponseBytes)
        {
            throw TooLarge(response, operation);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > VaultDefaults.MaxResponseBytes)
                {
                    throw TooLarge(response, operation);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>
    /// A redirect is never followed (it would carry the token to its target): a standby node answers 307 pointing at
    /// the active node when request forwarding is off. Only the target's scheme, host and port are named.
    /// </summary>
    private OpenAIKeySourceException Redirected(HttpResponseMessage response, string operation)
    {
        var location = response.Headers.Location;
        var target = location is null
            ? "without a Location"
            : location.IsAbsoluteUri ? $"to {location.GetLeftPart(UriPartial.Authority)}" : "to another path on the same host";
        return new(
            SourceName,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{SourceName}: Vault at {Address} answered {operation} with a redirect (HTTP {(int)response.StatusCode}) {target}, which KeyVaulting does not follow so that the Vault token is never sent elsewhere. " +
                $"A standby node redirects to the active node: set Address (or {VaultDefaults.AddressVariable}) to the active node or to the load balancer in front of the cluster. It is retried with backoff."),
            isTransient: true);
    }

    private OpenAIKeySourceException TooLarge(HttpResponseMessage response, string operation)
        => new(
            SourceName,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{SourceName}: Vault's answer to {operation} (HTTP {(int)response.StatusCode}) is larger than {VaultDefaults.MaxResponseBytes / 1024} KiB, the most KeyVaulting reads. " +
                $"A KV secret holding an API key is far smaller: check that Address points at Vault and that the secret holds only the key and a few small fields."),
            isTransient: false);

    private JsonDocument? Parse(byte[] bytes, HttpResponseMessage response, string operation)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            var status = (int)response.StatusCode;
            if (status >= 400)
            {
                // An error page from a proxy or load balancer: the status tells enough.
                return null;
            }

            throw new OpenAIKeySourceException(
                SourceName,
                $"{SourceName}: the answer to {operation} from {Address} (HTTP {status}, {response.Content.Headers.ContentType?.MediaType ?? "no content type"}) is not JSON. Check that Address points at Vault's API.",
                isTransient: false);
        }
    }

    private List<string> Messages(JsonDocument? document, string name)
    {
        var messages = new List<string>();
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty(name, out var array)
            || array.ValueKind != JsonValueKind.Array)
        {
            return messages;
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } text)
            {
                messages.Add(Clean(text));
            }
        }

        return messages;
    }

    /// <summary>Redacts known secrets, collapses white space (Vault's multi-errors span lines) and bounds the length.</summary>
    private string Clean(string text)
    {
        var redacted = Redactor.Redact(text);
        var builder = new StringBuilder(Math.Min(redacted.Length, MaxMessageLength + 1));
        var space = false;
        foreach (var c in redacted)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
            if (builder.Length >= MaxMessageLength)
            {
                builder.Append('…');
                break;
            }
        }

        return builder.ToString();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
