using System.Globalization;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A minimal Azure Key Vault on 127.0.0.1: <see cref="LocalServer"/> over HTTPS with a self-signed certificate
/// (<see cref="TestCertificate"/>). A request without <see cref="Credential"/>'s token gets Key Vault's recorded 401
/// bearer challenge; an authenticated one gets Key Vault's recorded secret answer with the current version of
/// <see cref="Key"/> (encoded once per version). The challenge and the answer come from tests/fixtures/azure.
/// </summary>
internal sealed class LocalKeyVault : IAsyncDisposable
{
    private static readonly JsonObject Challenge = Load("keyvault-401-challenge.extracted.json");
    private static readonly JsonObject Secret = Load("keyvault-get-secret-200.extracted.json");
    private static readonly byte[] ChallengeBody = Encoding.UTF8.GetBytes(Challenge["body"]!.ToJsonString());
    private static readonly string ChallengeHeader = Challenge["headers"]!["WWW-Authenticate"]!.GetValue<string>();

    private readonly X509Certificate2 _certificate;
    private readonly string _expectedAuthorization;
    private readonly VersionedBody _secret;
    private LocalServer _server = null!;
    private int _challenges;
    private int _reads;

    private LocalKeyVault(X509Certificate2 certificate, RotatingKey key)
    {
        _certificate = certificate;
        Key = key;
        _secret = new VersionedBody(key, SecretBody);
        _expectedAuthorization = "Bearer " + Credential.Token;
    }

    /// <summary>Gets the vault's address, for example <c>https://127.0.0.1:1234/</c>.</summary>
    public Uri VaultUri => _server.Address;

    /// <summary>Gets the secret the vault serves (under any name).</summary>
    public RotatingKey Key { get; }

    /// <summary>Gets the number of requests answered with the 401 challenge.</summary>
    public int Challenges => Volatile.Read(ref _challenges);

    /// <summary>Gets the number of authenticated reads answered with the secret.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Gets the credential whose token the vault accepts.</summary>
    public GeneratedTokenCredential Credential { get; } = new();

    public static async Task<LocalKeyVault> StartAsync(RotatingKey key)
    {
        var vault = new LocalKeyVault(TestCertificate.Create(), key);
        vault._server = await LocalServer.StartAsync(vault.HandleAsync, vault._certificate).ConfigureAwait(false);
        return vault;
    }

    /// <summary>
    /// Changes the client options KeyVaulting creates (service version, retry and size-limit policies) to use a
    /// transport over a new <see cref="HttpClient"/> (so a new connection and TLS handshake) that trusts only this
    /// vault's certificate, without the challenge's resource check (the vault is 127.0.0.1, not *.vault.azure.net).
    /// </summary>
    /// <param name="httpClient">The client under the transport; the caller disposes it.</param>
    /// <returns>The change, for <c>ConfigureClientOptions</c>.</returns>
    public Action<SecretClientOptions> ConfigureClientOptions(out HttpClient httpClient)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => TestCertificate.IsThisCertificate(presented as X509Certificate2, _certificate) },
        });
        httpClient = client;
        return options =>
        {
            options.Transport = new HttpClientTransport(client);
            options.DisableChallengeResourceVerification = true;
        };
    }

    /// <summary>
    /// Forgets the Key Vault challenges the Azure SDK caches for the whole process (per host and port), so that the
    /// next new <see cref="SecretClient"/> starts as in a new process: an unauthenticated request, the 401 challenge,
    /// the token, then the read.
    /// </summary>
    public static void ForgetChallenges() => ClearChallengeCache();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
    }

    private static readonly Action ClearChallengeCache = FindClearChallengeCache();

    private static Action FindClearChallengeCache()
    {
        // Azure.Security.KeyVault's ChallengeBasedAuthenticationPolicy keeps the challenges in a static cache with an
        // internal static ClearCache(), which the SDK's own tests call. No public API clears it.
        var method = typeof(SecretClient).Assembly
            .GetType("Azure.Security.KeyVault.ChallengeBasedAuthenticationPolicy", throwOnError: false)
            ?.GetMethod("ClearCache", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes);
        return method is null
            ? throw new InvalidOperationException("Azure.Security.KeyVault.ChallengeBasedAuthenticationPolicy.ClearCache() was not found: the Key Vault SDK changed; update LocalKeyVault.")
            : method.CreateDelegate<Action>();
    }

    private Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["x-ms-request-id"] = "00000000-0000-0000-0000-000000000000";
        if (!string.Equals(context.Request.Headers.Authorization.ToString(), _expectedAuthorization, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _challenges);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = ChallengeHeader;
            return Write(context, ChallengeBody);
        }

        Interlocked.Increment(ref _reads);
        return Write(context, _secret.Current);
    }

    private byte[] SecretBody(RotatingKey.Version version)
    {
        // Key Vault's recorded answer, with this version's value and id.
        var body = Secret["body"]!.DeepClone().AsObject();
        body["value"] = version.Value;
        body["id"] = new Uri(VaultUri, "secrets/openai/" + version.Number.ToString("D32", CultureInfo.InvariantCulture)).ToString();
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private static Task Write(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length);
    }

    private static JsonObject Load(string file)
        => JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("azure", file)))!.AsObject();

    /// <summary>A <see cref="TokenCredential"/> that hands out one token generated at run time, at once.</summary>
    internal sealed class GeneratedTokenCredential : TokenCredential
    {
        public string Token { get; } = "test-token-" + Guid.NewGuid().ToString("N");

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => new(Token, TimeProvider.System.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => new(GetToken(requestContext, cancellationToken));
    }
}
