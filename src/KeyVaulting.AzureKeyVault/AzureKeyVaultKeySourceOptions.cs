using System.ComponentModel.DataAnnotations;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace KeyVaulting.AzureKeyVault;

/// <summary>
/// Options of the Azure Key Vault key source (configuration <c>Type</c>: <c>AzureKeyVault</c>): which secret, which
/// version and JSON field, which credential, and the Azure SDK client options.
/// </summary>
/// <remarks>
/// From configuration, every setting but <see cref="Credential"/> and <see cref="ConfigureClientOptions"/> is read
/// from the source's section; those two come from named options whose name is the source's key:
/// <c>services.Configure&lt;AzureKeyVaultKeySourceOptions&gt;("Vault", o =&gt; o.Credential = …)</c>. A client secret
/// is never read from configuration: <see cref="ClientSecretEnvironmentVariable"/> names the variable that holds it.
/// </remarks>
public sealed class AzureKeyVaultKeySourceOptions
{
    /// <summary>Gets or sets the vault's URI, for example <c>https://my-vault.vault.azure.net/</c>.</summary>
    [Required]
    public Uri? VaultUri { get; set; }

    /// <summary>Gets or sets the name of the secret that holds the key, for example <c>openai-api-key</c>.</summary>
    [Required]
    public string? SecretName { get; set; }

    /// <summary>
    /// Gets or sets the secret version to read, the last segment of its identifier (for example
    /// <c>4387e9f3d6e14c459867679a90fd0f79</c>). Default: <see langword="null"/>, which follows the latest version
    /// so that a new version is picked up on the next refresh.
    /// </summary>
    public string? Version { get; set; }

    /// <summary>
    /// Gets or sets the name of the top-level JSON field that holds the key, when the secret holds a JSON object
    /// such as <c>{"apiKey": "…", "organization": "…"}</c>. Default: <see langword="null"/>: the whole secret value is
    /// the key.
    /// </summary>
    public string? JsonField { get; set; }

    /// <summary>
    /// Gets or sets the credential that reads the secret (code only). Default: the one <see cref="CredentialType"/>
    /// chooses, <see cref="Azure.Identity.DefaultAzureCredential"/> when neither is set, which uses the managed identity
    /// in Azure and the developer's sign-in (Visual Studio, Azure CLI, …) locally. The identity needs the
    /// <c>Key Vault Secrets User</c> role on the vault or secret, or a <c>get</c> secret access policy.
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>
    /// Gets or sets the Azure.Identity credential to create when <see cref="Credential"/> is not set: <c>Default</c>
    /// (<see cref="Azure.Identity.DefaultAzureCredential"/>), <c>ManagedIdentity</c>, <c>WorkloadIdentity</c>,
    /// <c>AzureCli</c> or <c>ClientSecret</c>. Case-insensitive. Default: <c>Default</c>.
    /// </summary>
    public string? CredentialType { get; set; }

    /// <summary>Gets or sets the client id of a user-assigned managed identity (<c>Default</c>, <c>ManagedIdentity</c>).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Gets or sets the Microsoft Entra tenant (<c>Default</c>, <c>WorkloadIdentity</c>, <c>AzureCli</c>, <c>ClientSecret</c>).</summary>
    public string? TenantId { get; set; }

    /// <summary>Gets or sets the application (client) id (<c>WorkloadIdentity</c>, <c>ClientSecret</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// Gets or sets the name of the environment variable that holds the client secret (<c>ClientSecret</c>). The secret
    /// itself is never a setting.
    /// </summary>
    public string? ClientSecretEnvironmentVariable { get; set; }

    /// <summary>
    /// Gets or sets the Key Vault service version. Default: <see langword="null"/>, which pins
    /// <see cref="SecretClientOptions.ServiceVersion.V7_6"/>.
    /// </summary>
    public SecretClientOptions.ServiceVersion? ServiceVersion { get; set; }

    /// <summary>
    /// Gets or sets what to change in the Azure SDK client options that KeyVaulting creates for the source (code only):
    /// retries, network timeout, transport, proxy, diagnostics, policies. Called once per source, on a new instance.
    /// Default: <see langword="null"/>: the SDK's defaults.
    /// </summary>
    /// <remarks>
    /// <para>
    /// KeyVaulting then adds what it guarantees. Unless the action sets a <see cref="Azure.Core.ClientOptions.RetryPolicy"/>,
    /// the SDK's retries (with the action's <see cref="Azure.Core.ClientOptions.Retry"/> settings) do not wait inside a
    /// read on a <c>Retry-After</c> longer than 5 seconds: the read fails with that hint and the provider, which keeps
    /// serving the last good key, waits instead. And at most 256 KiB of an answer is read (far more than any Key Vault
    /// answer): a larger one, from a misrouted <see cref="VaultUri"/> or a proxy, fails naming the source and is never
    /// held in memory. The instance is the source's own, so nothing the application shares is changed.
    /// </para>
    /// <para>
    /// The SDK logs only allow-listed headers and query parameters and no content. Keep it that way: content logging
    /// (<c>Diagnostics.IsLoggingContentEnabled</c>) would write the secret to the logs, and logging the
    /// <c>Authorization</c> header would write the token; both are refused.
    /// </para>
    /// </remarks>
    public Action<SecretClientOptions>? ConfigureClientOptions { get; set; }
}
