using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>
/// A focused client of Vault's HTTP API on the shared <see cref="StoreHttpClient"/>: sends one request with the token,
/// namespace and <c>X-Vault-Request</c> headers and parses Vault's JSON envelope, its errors and warnings redacted of
/// every secret the source knows.
/// </summary>
internal sealed class VaultClient : IDisposable
{
    /// <summary>How Vault is named in the shared HTTP client's messages.</summary>
    public static readonly StoreEndpoint Endpoint = new(
        "Vault",
        $"Address (or {VaultDefaults.AddressVariable})",
        $"If Vault's certificate is issued by a private CA, set CaCertificatePath (or the {VaultDefaults.CaCertificateVariable} environment variable) to that CA's PEM file.",
        $"A standby node redirects to the active node: set Address (or {VaultDefaults.AddressVariable}) to the active node or to the load balancer in front of the cluster.");

    private const int MaxMessageLength = 300;

    private readonly StoreHttpClient _http;
    private readonly Uri _apiBase;
    private readonly ILogger _logger;

    public VaultClient(string sourceName, Uri address, string? vaultNamespace, StoreHttpClient http, VaultRedactor redactor, ILogger logger)
    {
        _logger = logger;
        SourceName = sourceName;
        Address = address;
        Namespace = vaultNamespace;
        _http = http;
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
    /// <param name="body">A JSON object to post (a login, or a KV write with its <c>options</c>), or null.</param>
    /// <param name="operation">What is being done, for messages: <c>the read of secret/data/openai</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Vault's answer; the caller disposes it.</returns>
    /// <exception cref="OpenAIKeySourceException">Vault could not be reached, or its answer was too large or not JSON.</exception>
    public async Task<VaultResponse> SendAsync(
        HttpMethod method,
        string logicalPath,
        string? query,
        string? token,
        JsonObject? body,
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

        using var response = await _http.SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        var document = Parse(response, operation);
        var warnings = Messages(document, "warnings");
        if (warnings.Count > 0)
        {
            Log.VaultWarnings(_logger, SourceName, operation, string.Join("; ", warnings));
        }

        return new VaultResponse(response.StatusCode, document, Messages(document, "errors"), warnings, response.RetryAfter);
    }

    public void Dispose() => _http.Dispose();

    private static byte[] SerializeBody(JsonObject body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            body.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    private JsonDocument? Parse(StoreHttpResponse response, string operation)
    {
        if (response.Body.Length == 0)
        {
            return null;
        }

        try
        {
            // ParseValue copies the body, which is cleared when the answer is disposed.
            var reader = new Utf8JsonReader(response.Body);
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            var status = response.Status;
            if (status >= 400)
            {
                // An error page from a proxy or load balancer: the status tells enough.
                return null;
            }

            throw new OpenAIKeySourceException(
                SourceName,
                $"The answer to {operation} from Vault at {Address} (HTTP {status}, {response.MediaType ?? "no content type"}) is not JSON. Check that Address points at Vault's API.",
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
}
