using System.ComponentModel.DataAnnotations;
using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Auth;

namespace KeyVaulting.HashiCorpVault;

/// <summary>
/// Options of the HashiCorp Vault key source (configuration <c>Type</c>: <c>HashiCorpVault</c>): where Vault is,
/// which KV secret and field hold the key, how to trust Vault's certificate, and how to authenticate.
/// </summary>
/// <remarks>
/// Unset settings follow the Vault CLI's environment variables: <c>VAULT_ADDR</c>, <c>VAULT_NAMESPACE</c>,
/// <c>VAULT_CACERT</c> and, for the default token authentication, <c>VAULT_TOKEN</c> then <c>~/.vault-token</c>.
/// Choose another authentication method with <see cref="AuthMethod"/> and its settings, or in code with
/// <see cref="UseToken(string)"/>, <see cref="UseTokenFile(string)"/>,
/// <see cref="UseAppRole(string, string?, string?, string)"/> or <see cref="UseKubernetes(string, string, string)"/>.
/// Credentials are never settings: the settings name the environment variable or file that holds them, and only
/// <see cref="UseToken(string)"/> takes a token, in code.
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
    /// Gets or sets the secret's path inside the mount, for example <c>openai</c> for <c>vault kv get -mount=secret openai</c>;
    /// when <see cref="SecretEngine"/> is <c>OpenAI</c>, the plugin's role, for example <c>my-app</c> for <c>vault read openai/creds/my-app</c>.
    /// </summary>
    [Required]
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets the secrets engine that holds the key: <c>KV</c> (the default: a KV secret that someone writes) or
    /// <c>OpenAI</c> (Vault's OpenAI secrets plugin mints the key: <c>vault read {MountPoint}/creds/{Path}</c>).
    /// Case-insensitive.
    /// </summary>
    /// <remarks>
    /// With <c>OpenAI</c>, the source reads one credential and keeps it under its lease: it renews the lease
    /// (<c>sys/leases/renew</c>) once two thirds of its TTL have passed, reads a new credential before a lease that
    /// cannot be renewed further ends, and revokes its leases (<c>sys/leases/revoke</c>) when it is disposed, so Vault
    /// deletes the service account. It never reads a new credential per refresh. The key's version is the plugin's
    /// <c>api_key_id</c> and its expiry the lease's end. <see cref="MountPoint"/> defaults to <c>openai</c>;
    /// <see cref="KvVersion"/>, <see cref="Version"/> and <see cref="JsonField"/> do not apply.
    /// </remarks>
    public string? SecretEngine { get; set; }

    /// <summary>
    /// Gets or sets Vault's address, for example <c>https://vault.example.com:8200</c>. Default: the
    /// <c>VAULT_ADDR</c> environment variable. User information (<c>user:password@</c>) is refused.
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// Gets or sets the Vault Enterprise namespace, sent as the <c>X-Vault-Namespace</c> header on every request
    /// (including logins). Default: the <c>VAULT_NAMESPACE</c> environment variable; none when it is not set. An
    /// empty string sends no namespace whatever the environment says.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// Gets or sets the path where the secrets engine is mounted. Default: <c>secret</c>; <c>openai</c> when
    /// <see cref="SecretEngine"/> is <c>OpenAI</c>.
    /// </summary>
    public string MountPoint { get; set; } = VaultDefaults.MountPoint;

    /// <summary>Gets or sets the version of the KV secrets engine: <c>2</c> (versioned, the default) or <c>1</c>.</summary>
    public int KvVersion { get; set; } = 2;

    /// <summary>Gets or sets the field of the secret that holds the key. Default: <c>api_key</c>.</summary>
    public string JsonField { get; set; } = VaultDefaults.JsonField;

    /// <summary>
    /// Gets or sets the KV version 2 secret version to read, pinning the key; <see langword="null"/> (the default)
    /// reads the latest version, so that a new version is picked up on the next refresh.
    /// </summary>
    public int? Version { get; set; }

    /// <summary>
    /// Gets or sets the path of a PEM file with the CA certificate(s) that issued Vault's TLS certificate; they are
    /// trusted in addition to the system's roots, for Vault only, for TLS server authentication, without a revocation
    /// check. Default: the <c>VAULT_CACERT</c> environment variable. An empty string ignores that variable.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether Vault's TLS certificate is accepted without verification. Never use it
    /// in production: anyone on the network path could impersonate Vault and capture its tokens and the key. It is
    /// logged as a warning, and the <c>VAULT_SKIP_VERIFY</c> environment variable is deliberately ignored: only an
    /// explicit setting disables verification. Default: <see langword="false"/>.
    /// </summary>
    public bool SkipTlsVerify { get; set; }

    /// <summary>
    /// Gets or sets the auth method: <c>Token</c> (the default), <c>AppRole</c> or <c>Kubernetes</c>. Case-insensitive.
    /// </summary>
    public string? AuthMethod { get; set; }

    /// <summary>Gets or sets where the login auth method is enabled. Default: <c>approle</c> or <c>kubernetes</c>.</summary>
    public string? AuthMountPath { get; set; }

    /// <summary>Gets or sets the environment variable that holds the token (<c>Token</c>). Default: <c>VAULT_TOKEN</c>, then <c>~/.vault-token</c>.</summary>
    public string? TokenVariable { get; set; }

    /// <summary>
    /// Gets or sets the file that holds the token (<c>Token</c>), for example a Vault Agent sink. It is read again
    /// whenever the token expires or is rejected.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>Gets or sets the AppRole's <c>role_id</c> (<c>AppRole</c>); an identifier, not a credential.</summary>
    public string? RoleId { get; set; }

    /// <summary>Gets or sets the environment variable that holds the <c>secret_id</c> (<c>AppRole</c>).</summary>
    public string? SecretIdVariable { get; set; }

    /// <summary>Gets or sets the file that holds the <c>secret_id</c> (<c>AppRole</c>).</summary>
    public string? SecretIdFile { get; set; }

    /// <summary>Gets or sets the Vault role bound to the service account (<c>Kubernetes</c>).</summary>
    public string? Role { get; set; }

    /// <summary>Gets or sets the service-account token file (<c>Kubernetes</c>). Default: <see cref="DefaultKubernetesJwtPath"/>.</summary>
    public string? JwtPath { get; set; }

    /// <summary>Gets the token given in code with <see cref="UseToken(string)"/>; never bound from configuration.</summary>
    internal string? Token { get; private set; }

    /// <summary>Gets a value indicating whether the OpenAI secrets plugin mints the key (<see cref="SecretEngine"/> <c>OpenAI</c>).</summary>
    internal bool IsOpenAIEngine => string.Equals(SecretEngine?.Trim(), VaultDefaults.OpenAIEngine, StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the mount path in use: <see cref="MountPoint"/>, or <c>openai</c> when the OpenAI engine keeps the KV default.</summary>
    internal string EffectiveMountPoint => IsOpenAIEngine && MountPoint == VaultDefaults.MountPoint ? VaultDefaults.OpenAIMountPoint : MountPoint;

    /// <summary>Gets the authentication method the settings describe.</summary>
    internal VaultAuthMethod Auth => VaultAuthMethods.Create(this);

    /// <summary>Authenticates with the given Vault token (token auth method).</summary>
    /// <param name="token">The token. It is never logged.</param>
    /// <returns>These options.</returns>
    /// <remarks>
    /// The token is renewed before its TTL ends when it is renewable. Once it expires or is revoked, the source
    /// cannot log in again: prefer <see cref="UseTokenFile(string)"/> (for example a Vault Agent sink) or a login method.
    /// </remarks>
    public HashiCorpVaultKeySourceOptions UseToken(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ClearAuth(VaultAuthMethods.Token);
        Token = token;
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
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ClearAuth(VaultAuthMethods.Token);
        TokenFile = path;
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
        ArgumentException.ThrowIfNullOrWhiteSpace(roleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(mountPath);
        var hasFile = !string.IsNullOrWhiteSpace(secretIdFile);
        if (hasFile == !string.IsNullOrWhiteSpace(secretIdVariable))
        {
            throw new ArgumentException(
                "Give exactly one of secretIdFile (a file that holds the secret_id) and secretIdVariable (an environment variable that holds it).",
                hasFile ? nameof(secretIdVariable) : nameof(secretIdFile));
        }

        ClearAuth(VaultAuthMethods.AppRole);
        RoleId = roleId;
        SecretIdFile = hasFile ? secretIdFile : null;
        SecretIdVariable = hasFile ? null : secretIdVariable;
        AuthMountPath = mountPath;
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
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(jwtPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(mountPath);
        ClearAuth(VaultAuthMethods.Kubernetes);
        Role = role;
        JwtPath = jwtPath;
        AuthMountPath = mountPath;
        return this;
    }

    /// <summary>Starts another auth method from nothing: the last Use… call wins.</summary>
    private void ClearAuth(string method)
    {
        AuthMethod = method;
        AuthMountPath = TokenVariable = TokenFile = RoleId = SecretIdVariable = SecretIdFile = Role = JwtPath = Token = null;
    }
}
