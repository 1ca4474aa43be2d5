using KeyVaulting.Testing;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// A local Azure Key Vault for tests: Kestrel over HTTPS on 127.0.0.1 (a free port) with a self-signed certificate.
/// It implements <c>GET /secrets/{name}</c> and <c>GET /secrets/{name}/{version}</c>, answers an unauthenticated
/// request with Key Vault's 401 bearer challenge, accepts only <see cref="Credential"/>'s token, and answers with
/// Key Vault's recorded JSON. Its write side (set, list versions, update) is in FakeKeyVault.Writes.cs.
/// </summary>
internal sealed partial class FakeKeyVault : IAsyncDisposable
{
    private static readonly HashSet<int> UsedPorts = [];

    private LocalServer _server = null!;
    private readonly ConcurrentDictionary<string, List<SecretVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly ConcurrentQueue<StreamedAnswer> _streams = new();
    private readonly X509Certificate2 _certificate;

    private FakeKeyVault(X509Certificate2 certificate)
    {
        _certificate = certificate;
    }

    public Uri VaultUri { get; private set; } = null!;

    /// <summary>Gets the credential whose token the vault accepts.</summary>
    public TestCredential Credential { get; } = new();

    /// <summary>Gets every request the vault received, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Gets the secret requests that carried a valid token (the challenge round trips excluded).</summary>
    public IEnumerable<RecordedRequest> AuthenticatedRequests => Requests.Where(r => r.Authenticated);

    /// <summary>Gets or sets a response given to every authenticated request while set (an outage, a denial).</summary>
    public ScriptedResponse? Outage { get; set; }

    /// <summary>
    /// Gets or sets the token resource the 401 challenge names, instead of Key Vault's (<c>https://vault.azure.net</c>):
    /// a parent domain of the host name a client uses for this vault (<see cref="StartAsync"/>), so that a client that
    /// keeps the SDK's challenge-resource check (the shipped tool, in a child process) accepts it.
    /// </summary>
    public string? ChallengeResource { get; set; }

    /// <summary>Gets the server certificate in PEM, for a child process that trusts it through <c>SSL_CERT_FILE</c>.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>Starts a vault on a port never used before, its certificate valid for 127.0.0.1 and <paramref name="hostName"/>.</summary>
    public static async Task<FakeKeyVault> StartAsync(string? hostName = null)
    {
        while (true)
        {
            var vault = await StartOnAnyPortAsync(hostName);

            // The SDK caches Key Vault's challenge per host and port for the whole process: a port used by an earlier
            // vault would skip the unauthenticated first request. Every vault gets a port never used before.
            lock (UsedPorts)
            {
                if (UsedPorts.Add(vault.VaultUri.Port))
                {
                    return vault;
                }
            }

            await vault.DisposeAsync();
        }
    }

    private static async Task<FakeKeyVault> StartOnAnyPortAsync(string? hostName)
    {
        var certificate = hostName is null ? TestCertificate.Create() : TestCertificate.Create(hostName);
        var vault = new FakeKeyVault(certificate);
        vault._server = await LocalServer.StartAsync(vault.HandleAsync, certificate);
        vault.VaultUri = vault._server.Address;
        return vault;
    }

    /// <summary>Adds a version to a secret (creating it); it becomes the latest.</summary>
    public SecretVersion AddVersion(string name, string value, bool enabled = true, DateTimeOffset? expiresOn = null, DateTimeOffset? notBefore = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        var version = new SecretVersion(Guid.NewGuid().ToString("N"), value, enabled, expiresOn, notBefore) { Created = NextCreated(), Tags = tags ?? new Dictionary<string, string>() };
        var versions = _secrets.GetOrAdd(name, _ => []);
        lock (versions)
        {
            versions.Add(version);
        }

        return version;
    }

    /// <summary>Queues responses for the next authenticated requests, before the normal handling resumes.</summary>
    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    /// <summary>
    /// Queues a 200 answer of <paramref name="length"/> bytes for the next authenticated request, streamed without
    /// Content-Length (a proxy's download).
    /// </summary>
    public void EnqueueStream(long length) => _streams.Enqueue(new StreamedAnswer(length));

    /// <summary>
    /// Changes Azure SDK client options so that they trust only this server's certificate, skip the challenge's
    /// resource check (the vault is 127.0.0.1, not *.vault.azure.net) and retry quickly: what a test gives as
    /// <c>AzureKeyVaultKeySourceOptions.ConfigureClientOptions</c>.
    /// </summary>
    public Action<SecretClientOptions> ClientOptions(int maxRetries = 1, DelegatingHandler? observer = null) => options =>
    {
        HttpMessageHandler handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => TestCertificate.IsThisCertificate(presented, _certificate),
        };
        if (observer is not null)
        {
            observer.InnerHandler = handler;
            handler = observer;
        }

        options.Transport = new HttpClientTransport(new HttpClient(handler));
        options.DisableChallengeResourceVerification = true;
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    };

    /// <summary>Creates client options for a <see cref="SecretClient"/> the test builds itself.</summary>
    public SecretClientOptions CreateClientOptions()
    {
        var options = new SecretClientOptions();
        ClientOptions()(options);
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var authenticated = authorization == "Bearer " + Credential.Token;
        Requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? string.Empty, request.Query["api-version"].ToString(), authorization.Length > 0, authenticated));

        if (!authenticated)
        {
            // Key Vault answers every request without a valid token with its bearer challenge.
            context.Response.Headers.WWWAuthenticate = ChallengeResource is { } resource
                ? $"Bearer authorization=\"{VaultUri.GetLeftPart(UriPartial.Authority)}/{KeyVaultFixtures.ChallengeTenant}\", resource=\"{resource}\""
                : KeyVaultFixtures.ChallengeHeader;
            var body = authorization.Length == 0
                ? KeyVaultFixtures.ChallengeBody
                : KeyVaultFixtures.ErrorBody("Unauthorized", "AKV10032: Invalid issuer.");
            await WriteAsync(context, 401, body);
            return;
        }

        if (_streams.TryDequeue(out var stream))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json; charset=utf-8";
            await stream.WriteAsync(context.Response.BodyWriter, context.RequestAborted);
            return;
        }

        if (_script.TryDequeue(out var scripted) || (scripted = Outage) is not null)
        {
            foreach (var (header, value) in scripted.Headers)
            {
                context.Response.Headers[header] = value;
            }

            await WriteAsync(context, scripted.Status, scripted.Body);
            return;
        }

        var segments = (request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (await TryHandleWriteAsync(context, segments))
        {
            return;
        }

        if (request.Method != "GET" || segments.Length is < 2 or > 3 || segments[0] != "secrets")
        {
            await WriteAsync(context, 400, KeyVaultFixtures.ErrorBody("BadParameter", "This fake vault only implements GET /secrets/{name}/{version}."));
            return;
        }

        var name = segments[1];
        var versionId = segments.Length == 3 ? segments[2] : null;
        if (!_secrets.TryGetValue(name, out var versions))
        {
            await WriteAsync(context, 404, KeyVaultFixtures.SecretNotFoundBody(name));
            return;
        }

        SecretVersion? version;
        lock (versions)
        {
            version = versionId is null ? versions.LastOrDefault() : versions.FirstOrDefault(v => v.Id == versionId);
        }

        if (version is null)
        {
            await WriteAsync(context, 404, KeyVaultFixtures.SecretNotFoundBody($"{name}/{versionId}"));
        }
        else if (!version.Enabled)
        {
            await WriteAsync(context, 403, KeyVaultFixtures.SecretDisabledBody());
        }
        else
        {
            await WriteAsync(context, 200, KeyVaultFixtures.SecretBody(VaultUri, name, version));
        }
    }

    private static Task WriteAsync(HttpContext context, int status, string? body)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        if (body is null)
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body);
    }
}

/// <summary>One version of a secret in <see cref="FakeKeyVault"/>.</summary>
internal sealed record SecretVersion(string Id, string Value, bool Enabled, DateTimeOffset? ExpiresOn, DateTimeOffset? NotBefore)
{
    /// <summary>Gets the version's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets when the version was created (Key Vault keeps whole seconds).</summary>
    public DateTimeOffset Created { get; init; }
}

/// <summary>A request <see cref="FakeKeyVault"/> received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string ApiVersion, bool HadAuthorization, bool Authenticated);

/// <summary>A canned response of <see cref="FakeKeyVault"/>.</summary>
internal sealed record ScriptedResponse(int Status, string? Body, params (string Name, string Value)[] Headers);
