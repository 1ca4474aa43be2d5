using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Azure Key Vault over HTTPS (a self-signed certificate trusted only by this store's transport), read through the
/// real <see cref="SecretClient"/> with SDK retries off, so that what is measured is KeyVaulting's behaviour. It
/// answers an unauthenticated request with Key Vault's recorded 401 bearer challenge, and also plays Microsoft Entra
/// ID's token endpoint for a real <see cref="ClientSecretCredential"/>, so the client secret and the access token are
/// sentinels too. Outages affect Key Vault only, not the identity provider.
/// </summary>
public sealed class AzureKeyVaultStore : FakeStore
{
    private static readonly Lazy<JsonObject> Challenge = new(() => Load("keyvault-401-challenge.extracted.json"));
    private static readonly Lazy<JsonObject> Secret = new(() => Load("keyvault-get-secret-200.extracted.json"));

    private readonly X509Certificate2 _certificate = TestCertificate.Create();
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly ResponseBytesCounter _responseBytes;
    private HttpClient? _httpClient;
    private TaskCompletionSource? _headersReceived;

    private AzureKeyVaultStore(string? jsonField)
        : base(jsonField)
    {
        ClientSecret = Remember(Sentinel.Of("Azure client secret", "test-client-secret-"));
        AccessToken = Remember(Sentinel.Of("Azure access token", "test-access-token-", 48));
        _responseBytes = new ResponseBytesCounter
        {
            InnerHandler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => TestCertificate.IsThisCertificate(presented, _certificate),
            },
        };
    }

    public override string StoreName => "AzureKeyVault";

    public string SecretName => "openai-" + Id;

    public override string SourceName => "AzureKeyVault:" + SecretName;

    public override string JsonFieldSetting => "JsonField";

    public Sentinel ClientSecret { get; }

    public Sentinel AccessToken { get; }

    /// <summary>Gets or sets the secret's version id.</summary>
    public string Version { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>Gets or sets a value indicating whether the token endpoint rejects the client secret (AADSTS7000215).</summary>
    public bool RejectClientSecret { get; set; }

    /// <summary>Gets the tenant named by Key Vault's challenge, which the credential must be for.</summary>
    public static string Tenant => new Uri(ChallengeHeader.Split('"')[1]).AbsolutePath.Trim('/');

    private static string ChallengeHeader => Challenge.Value["headers"]!["WWW-Authenticate"]!.GetValue<string>();

    public static async Task<AzureKeyVaultStore> StartAsync(string? jsonField = null)
    {
        var store = new AzureKeyVaultStore(jsonField);
        await store.ListenAsync(store._certificate);
        return store;
    }

    public override void AddTo(IOpenAIKeyProviderBuilder builder)
    {
        var transport = new HttpClientTransport(HttpClient);
        var credentialOptions = new ClientSecretCredentialOptions
        {
            AuthorityHost = Address,
            Transport = transport,
            DisableInstanceDiscovery = true,
        };
        credentialOptions.Retry.MaxRetries = 0;

        builder.AddAzureKeyVault(Address, SecretName, options =>
        {
            options.Credential = new ClientSecretCredential(Tenant, _clientId, ClientSecret.Value, credentialOptions);
            options.JsonField = JsonField;
            options.ConfigureClientOptions = clientOptions =>
            {
                clientOptions.Transport = transport;
                clientOptions.DisableChallengeResourceVerification = true;

                // No retries inside a read and no network timeout of its own: the provider's backoff and its
                // SourceTimeout (on fake time) are what the tests measure.
                clientOptions.Retry.MaxRetries = 0;
                clientOptions.Retry.NetworkTimeout = TimeSpan.FromMinutes(5);
            };
        });
    }

    public override string ExpectedReason(StoreFault fault) => fault switch
    {
        StoreFault.InternalServerError => $"failed to read the secret '{SecretName}' (500 InternalServerError",
        StoreFault.BadGateway => $"failed to read the secret '{SecretName}' (502",
        StoreFault.ServiceUnavailable => $"failed to read the secret '{SecretName}' (503 ServiceUnavailable",
        StoreFault.TooManyRequests => "is throttling requests (429 Throttled",
        StoreFault.Hang => "did not answer within",
        StoreFault.ConnectionRefused => "could not be reached",
        StoreFault.MalformedJson => "is not Key Vault's JSON",
        StoreFault.TruncatedBody => "broke while reading its answer",
        StoreFault.WrongContentType => "is not Key Vault's JSON",
        StoreFault.HugeBody => "larger than 256 KiB",
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    public override string ExpectedReason(StoreAbsence absence) => absence switch
    {
        StoreAbsence.DeletedSecret => $"does not have the secret '{SecretName}' (404 SecretNotFound",
        _ => throw new ArgumentOutOfRangeException(nameof(absence), absence, "Key Vault reads the latest version: only a deleted secret is missing."),
    };

    protected override async Task AnswerAbsentAsync(HttpContext context, StoreAbsence absence)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + AccessToken.Value)
        {
            await AnswerAsync(context); // the challenge first, as Key Vault does
            return;
        }

        // Key Vault's answer for a deleted secret (soft-deleted or purged).
        await WriteAsync(context, 404, "application/json; charset=utf-8", ErrorBody(
            "SecretNotFound",
            $"A secret with (name/id) {SecretName} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command."));
    }

    protected override void Cleanup()
    {
        _httpClient?.Dispose();
        _certificate.Dispose();
    }

    protected override bool IsAffectedByFaults(HttpRequest request) => request.Path.StartsWithSegments("/secrets");

    protected override (int Status, string ContentType, string Body) EchoingError(string message)
        => (403, "application/json; charset=utf-8", new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "Forbidden",
                ["message"] = $"Caller is not authorized to perform action on resource. Request header Authorization: Bearer {AccessToken.Value}; {message}",
                ["innererror"] = new JsonObject { ["code"] = "ForbiddenByPolicy" },
            },
        }.ToJsonString());

    protected override void OnNewVersion() => Version = Guid.NewGuid().ToString("N");

    protected override bool IsSecretRead(HttpRequest request) => request.Path.StartsWithSegments("/secrets");

    protected override async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        if (request.Path.Value == $"/{Tenant}/oauth2/v2.0/token")
        {
            await AnswerTokenRequestAsync(context);
            return;
        }

        if (request.Headers.Authorization.ToString() != "Bearer " + AccessToken.Value)
        {
            context.Response.Headers.WWWAuthenticate = ChallengeHeader;
            await WriteAsync(context, 401, "application/json; charset=utf-8", Challenge.Value["body"]!.ToJsonString());
            return;
        }

        var segments = (request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (request.Method != "GET" || segments.Length is < 2 or > 3 || segments[0] != "secrets" || segments[1] != SecretName)
        {
            await WriteAsync(context, 404, "application/json; charset=utf-8", ErrorBody("SecretNotFound", "A secret with (name/id) was not found in this key vault."));
            return;
        }

        var (type, body) = SecretAnswer(SecretText);
        context.Response.ContentType = type;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }

    protected override (string ContentType, string Body) Error(int status) => status switch
    {
        429 => ("application/json; charset=utf-8", ErrorBody("Throttled", "Request was not processed because too many requests were received.")),
        503 => ("application/json; charset=utf-8", ErrorBody("ServiceUnavailable", "The service is temporarily unavailable.")),
        _ => ("application/json; charset=utf-8", ErrorBody("InternalServerError", "An unexpected error occurred.")),
    };

    protected override (string ContentType, byte[] Body) SecretAnswer(string value)
    {
        // Key Vault's recorded answer, with this secret's value and id.
        var body = Secret.Value["body"]!.DeepClone().AsObject();
        body["value"] = value;
        body["id"] = new Uri(Address, $"secrets/{SecretName}/{Version}").ToString();
        return ("application/json; charset=utf-8", Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    /// <summary>Gets how many bytes of answer bodies the client really read (Key Vault's and the token endpoint's).</summary>
    public long ResponseBytesRead => _responseBytes.BytesRead;

    private HttpClient HttpClient => _httpClient ??= new HttpClient(new HeadersReceivedHandler(this)
    {
        InnerHandler = _responseBytes,
    });

    /// <summary>
    /// Over TLS the socket cannot be written directly: the server drops the connection only once the client has the
    /// headers (this store's own transport says so), so that what fails is the read of the body.
    /// </summary>
    protected override async Task TruncateAsync(HttpContext context, string contentType, byte[] body)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _headersReceived, received);
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
        await context.Response.Body.FlushAsync();
        await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        context.Abort();
    }

    private async Task AnswerTokenRequestAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (RejectClientSecret || form["client_id"] != _clientId || form["client_secret"] != ClientSecret.Value)
        {
            // Entra ID's answer to a wrong client secret.
            await WriteAsync(context, 401, "application/json; charset=utf-8", new JsonObject
            {
                ["error"] = "invalid_client",
                ["error_description"] = $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{_clientId}'. Trace ID: {Guid.NewGuid()} Correlation ID: {Guid.NewGuid()} Timestamp: 2026-03-01 12:00:00Z",
                ["error_codes"] = new JsonArray(7000215),
                ["timestamp"] = "2026-03-01 12:00:00Z",
                ["trace_id"] = Guid.NewGuid().ToString(),
                ["correlation_id"] = Guid.NewGuid().ToString(),
                ["error_uri"] = "https://login.microsoftonline.com/error?code=7000215",
            }.ToJsonString());
            return;
        }

        await WriteAsync(context, 200, "application/json; charset=utf-8", new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = AccessToken.Value,
        }.ToJsonString());
    }

    private sealed class HeadersReceivedHandler(AzureKeyVaultStore store) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Volatile.Read(ref store._headersReceived)?.TrySetResult();
            return response;
        }
    }

    private static string ErrorBody(string code, string message)
        => new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString();

    private static JsonObject Load(string file)
        => JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("azure", file)))!.AsObject();
}
