using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Auth;

namespace KeyVaulting.HashiCorpVault;

/// <summary>
/// Options of the HashiCorp Vault key source: where Vault is, which KV secret and field hold the key, how to trust
/// Vault's certificate, and how to authenticate.
/// </summary>
/// <remarks>
/// Unset settings follow the Vault CLI's environment variables: <c>VAULT_ADDR</c>, <c>VAULT_NAMESPACE</c>,
/// <c>VAULT_CACERT</c> and, for the default token authentication, <c>VAULT_TOKEN</c> then <c>~/.vault-token</c>.
/// Choose another authentication method with <see cref="UseToken(string)"/>, <see cref="UseTokenFile(string)"/>,
/// <see cref="UseAppRole(string, string?, string?, string)"/> or <see cref="UseKubernetes(string, string, string)"/>.
/// </remarks>
public sealed class HashiCorpVaultKeySourceOptions
{
    /// <summary>
    /// The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client the source uses when it is added with
    /// <c>AddHashiCorpVault</c> and the application registers <c>IHttpClientFactory</c> (for example to add a proxy or
    /// another handler): <c>KeyVaulting.HashiCorpVault</c>.
    /// </summary>
    /// <remarks>
    /// <c>AddHashiCorpVault</c> removes the factory's default request logging from this client, because it logs header
    /// values, <c>X-Vault-Token</c> included, in its structured state at Trace level, and turns off redirects, which would
    /// carry the token to another address. When <see cref="CaCertificatePath"/> (or <c>VAULT_CACERT</c>) or
    /// <see cref="SkipTlsVerify"/> is set, or when configuration alone selects the source, the source owns its
    /// <see cref="System.Net.Http.HttpClient"/> instead, with the same behaviour.
    /// </remarks>
    public const string HttpClientName = "KeyVaulting.HashiCorpVault";

    /// <summary>The default service-account token path of a Kubernetes pod.</summary>
    public const string DefaultKubernetesJwtPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /// <summary>
    /// Gets or sets Vault's address, for example <c>https://vault.example.com:8200</c>. Default: the
    /// <c>VAULT_ADDR</c> environment variable.
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// Gets or sets the Vault Enterprise namespace, sent as the <c>X-Vault-Namespace</c> header on every request
    /// (including logins). Default: the <c>VAULT_NAMESPACE</c> environment variable; none when it is not set. An
    /// empty string sends no namespace whatever the environment says.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>Gets or sets the path where the KV secrets engine is mounted. Default: <c>secret</c>.</summary>
    public string MountPoint { get; set; } = VaultDefaults.MountPoint;

    /// <summary>Gets or sets the version of the KV secrets engine: <c>2</c> (versioned, the default) or <c>1</c>.</summary>
    public int KvVersion { get; set; } = 2;

    /// <summary>Gets or sets the field of the secret that holds the key. Default: <c>api_key</c>.</summary>
    public string Field { get; set; } = VaultDefaults.Field;

    /// <summary>
    /// Gets or sets the KV version 2 secret version to read, pinning the key; <see langword="null"/> (the default)
    /// reads the latest version, so that a new version is picked up on the next refresh.
    /// </summary>
    public int? Version { get; set; }

    /// <summary>
    /// Gets or sets the path of a PEM file with the CA certificate(s) that issued Vault's TLS certificate; they are
    /// trusted in addition to the system's roots, for Vault only. Default: the <c>VAULT_CACERT</c> environment
    /// variable. An empty string ignores that variable.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether Vault's TLS certificate is accepted without verification. Never use it
    /// in production: anyone on the network path could impersonate Vault and capture its tokens and the key. It is
    /// logged as a warning, and the <c>VAULT_SKIP_VERIFY</c> environment variable is deliberately ignored: only an
    /// explicit setting disables verification. Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTlsVerify { get; set; }

    /// <summary>Gets the authentication method; the default is token authentication from the environment.</summary>
    internal VaultAuthMethod Auth { get; private set; } = new TokenAuthMethod(TokenSource.Default);

    /// <summary>Authenticates with the given Vault token (token auth method).</summary>
    /// <param name="token">The token. It is never logged.</param>
    /// <returns>These options.</returns>
    /// <remarks>
    /// The token is renewed before its TTL ends when it is renewable. Once it expires or is revoked, the source
    /// cannot log in again: prefer <see cref="UseTokenFile(string)"/> (for example a Vault Agent sink) or a login method.
    /// </remarks>
    public HashiCorpVaultKeySourceOptions UseToken(string token)
    {
        Throw.IfNullOrWhiteSpace(token);
        Auth = new TokenAuthMethod(TokenSource.FromValue(token));
        return this;
    }

    /// <summary>
    /// Authenticates with the Vault token stored in a file, for example a Vault Agent sink. The file is read again
    /// whenever the token expires or is rejected, so a token rewritten by the agent is picked up.
    /// </summary>
    /// <param name="path">The file that holds the token.</param>
    /// <returns>These options.</returns>
    public HashiCorpVaultKeySourceOptions UseTokenFile(string path)
    {
        Throw.IfNullOrWhiteSpace(path);
        Auth = new TokenAuthMethod(TokenSource.FromFile(path));
        return this;
    }

    /// <summary>
    /// Logs in with the AppRole auth method (<c>POST /v1/auth/{mountPath}/login</c>). The <c>secret_id</c> is read
    /// from a file or an environment variable at each login; give exactly one of them.
    /// </summary>
    /// <param name="roleId">The role's <c>role_id</c>.</param>
    /// <param name="secretIdFile">A file that holds the <c>secret_id</c>.</param>
    /// <param name="secretIdVariable">An environment variable that holds the <c>secret_id</c>.</param>
    /// <param name="mountPath">The path where the AppRole auth method is enabled. Default: <c>approle</c>.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">Neither or both of <paramref name="secretIdFile"/> and <paramref name="secretIdVariable"/> are given.</exception>
    public HashiCorpVaultKeySourceOptions UseAppRole(string roleId, string? secretIdFile = null, string? secretIdVariable = null, string mountPath = VaultDefaults.AppRoleMountPath)
    {
        Throw.IfNullOrWhiteSpace(roleId);
        Throw.IfNullOrWhiteSpace(mountPath);
        var hasFile = !string.IsNullOrWhiteSpace(secretIdFile);
        var hasVariable = !string.IsNullOrWhiteSpace(secretIdVariable);
        if (hasFile == hasVariable)
        {
            throw new ArgumentException(
                "Give exactly one of secretIdFile (a file that holds the secret_id) and secretIdVariable (an environment variable that holds it).",
                hasFile ? nameof(secretIdVariable) : nameof(secretIdFile));
        }

        var secretId = hasFile ? SecretReference.File(secretIdFile!, "secret_id") : SecretReference.Variable(secretIdVariable!, "secret_id");
        Auth = new AppRoleAuthMethod(roleId, secretId, VaultPaths.TrimSlashes(mountPath));
        return this;
    }

    /// <summary>
    /// Logs in with the Kubernetes auth method (<c>POST /v1/auth/{mountPath}/login</c>) using the pod's
    /// service-account token, read from <paramref name="jwtPath"/> at each login so that a rotated token is used.
    /// </summary>
    /// <param name="role">The Vault role bound to the service account.</param>
    /// <param name="jwtPath">The service-account token file. Default: <see cref="DefaultKubernetesJwtPath"/>.</param>
    /// <param name="mountPath">The path where the Kubernetes auth method is enabled. Default: <c>kubernetes</c>.</param>
    /// <returns>These options.</returns>
    public HashiCorpVaultKeySourceOptions UseKubernetes(string role, string jwtPath = DefaultKubernetesJwtPath, string mountPath = VaultDefaults.KubernetesMountPath)
    {
        Throw.IfNullOrWhiteSpace(role);
        Throw.IfNullOrWhiteSpace(jwtPath);
        Throw.IfNullOrWhiteSpace(mountPath);
        Auth = new KubernetesAuthMethod(role, SecretReference.File(jwtPath, "service-account token"), VaultPaths.TrimSlashes(mountPath));
        return this;
    }

    /// <summary>Sets the authentication method chosen by configuration.</summary>
    internal void SetAuth(VaultAuthMethod auth) => Auth = auth;
}
