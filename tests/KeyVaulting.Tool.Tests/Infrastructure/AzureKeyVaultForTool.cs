using KeyVaulting.AzureKeyVault.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests.Infrastructure;

/// <summary>
/// Azure Key Vault for a run of the tool, all on 127.0.0.1 and offline, with nothing in the shipped tool relaxed:
/// <list type="bullet">
/// <item>the Key Vault fake, reached as <c>https://vault.keyvaulting.test:{port}/</c> (a name under the reserved
/// <c>.test</c> domain, which resolves nowhere) through <see cref="ConnectProxy"/> (<c>HTTPS_PROXY</c>), its 401 challenge
/// naming <c>https://keyvaulting.test</c> as the token's resource: the SDK's challenge-resource check (the vault's host
/// must be under the resource's domain, as <c>*.vault.azure.net</c> is under <c>vault.azure.net</c>) passes unchanged;</item>
/// <item>TLS validated as anywhere, against that host name, with the fake's certificate as the child's only root:
/// <c>SSL_CERT_FILE</c> holding it and an empty <c>SSL_CERT_DIR</c> (the root store .NET reads on Linux);</item>
/// <item>App Service's managed identity endpoint (<c>IDENTITY_ENDPOINT</c>, <c>IDENTITY_HEADER</c>) handing out the
/// one token the fake accepts, for <c>CredentialType: ManagedIdentity</c>, which then asks only that endpoint: no IMDS,
/// no Microsoft Entra ID.</item>
/// </list>
/// </summary>
internal sealed class AzureKeyVaultForTool : IAsyncDisposable
{
    /// <summary>The domain the challenge names as the token's resource; the vault's host name is under it.</summary>
    public const string Domain = "keyvaulting.test";

    private const string Host = "vault." + Domain;

    private readonly string _trust;

    private AzureKeyVaultForTool(FakeKeyVault vault, ConnectProxy proxy, ManagedIdentityEndpoint identity, string trust)
    {
        Vault = vault;
        Proxy = proxy;
        Identity = identity;
        _trust = trust;
    }

    public FakeKeyVault Vault { get; }

    public ConnectProxy Proxy { get; }

    public ManagedIdentityEndpoint Identity { get; }

    /// <summary>Gets the vault's URI as the application's configuration names it.</summary>
    public Uri VaultUri => new($"https://{Host}:{Vault.VaultUri.Port}/");

    /// <summary>Gets the token resource the challenge names (what the managed identity is asked for).</summary>
    public string Resource => "https://" + Domain;

    /// <summary>Gets the child's environment: the proxy, the certificate trust and the managed identity endpoint.</summary>
    public Dictionary<string, string> Environment => new(Identity.Variables)
    {
        ["HTTPS_PROXY"] = Proxy.Address.ToString(),
        ["SSL_CERT_FILE"] = Path.Combine(_trust, "vault.pem"),
        ["SSL_CERT_DIR"] = Path.Combine(_trust, "empty"),
    };

    public static async Task<AzureKeyVaultForTool> StartAsync()
    {
        var vault = await FakeKeyVault.StartAsync(Host);
        vault.ChallengeResource = "https://" + Domain;
        var proxy = ConnectProxy.Start(Host, vault.VaultUri.Port);
        var identity = await ManagedIdentityEndpoint.StartAsync(vault.Credential.Token);
        var trust = Directory.CreateTempSubdirectory("kvt-trust-").FullName;
        Directory.CreateDirectory(Path.Combine(trust, "empty"));
        await File.WriteAllTextAsync(Path.Combine(trust, "vault.pem"), vault.CertificatePem);
        return new AzureKeyVaultForTool(vault, proxy, identity, trust);
    }

    /// <summary>The JSON of a source named <paramref name="name"/> that reads <paramref name="secretName"/> with the managed identity.</summary>
    public string Source(string name, string secretName, string? jsonField = null)
        => $$"""
            "{{name}}": { "Type": "AzureKeyVault", "VaultUri": "{{VaultUri}}", "SecretName": "{{secretName}}", "CredentialType": "ManagedIdentity"{{(jsonField is null ? string.Empty : $", \"JsonField\": \"{jsonField}\"")}} }
            """;

    public async ValueTask DisposeAsync()
    {
        await Identity.DisposeAsync();
        await Proxy.DisposeAsync();
        await Vault.DisposeAsync();
        Directory.Delete(_trust, recursive: true);
    }
}
