using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace KeyVaulting.AzureKeyVault;

/// <summary>
/// Options of the Azure Key Vault key source: which credential reads the secret, which version, which JSON field,
/// and the Azure SDK client options.
/// </summary>
/// <remarks>
/// For a source selected by configuration (<c>"Type": "AzureKeyVault"</c>), settings that configuration cannot
/// express (a <see cref="TokenCredential"/>, <see cref="ClientOptions"/>) are given as named options, the name being
/// the source's key in configuration:
/// <c>services.Configure&lt;AzureKeyVaultKeySourceOptions&gt;("Vault", o =&gt; o.ClientOptions = …)</c>.
/// </remarks>
public sealed class AzureKeyVaultKeySourceOptions
{
    /// <summary>
    /// Gets or sets the credential that reads the secret. Default: <see cref="Azure.Identity.DefaultAzureCredential"/>,
    /// which uses the managed identity in Azure and the developer's sign-in (Visual Studio, Azure CLI, …) locally.
    /// The identity needs the <c>Key Vault Secrets User</c> role on the vault or secret, or a <c>get</c> secret
    /// access policy.
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>
    /// Gets or sets the secret version to read, the last segment of its identifier (for example
    /// <c>4387e9f3d6e14c459867679a90fd0f79</c>). Default: <see langword="null"/>, which follows the latest version
    /// so that a new version is picked up on the next refresh.
    /// </summary>
    public string? Version { get; set; }

    /// <summary>
    /// Gets or sets the name of the top-level JSON property that holds the key, when the secret holds a JSON object
    /// such as <c>{"apiKey": "…", "organization": "…"}</c>. Default: <see langword="null"/>: the whole secret value is
    /// the key.
    /// </summary>
    public string? JsonField { get; set; }

    /// <summary>
    /// Gets or sets the Azure SDK client options: retries, network timeout, transport, proxy, service version.
    /// Default: <see langword="null"/>, which uses <see cref="SecretClientOptions"/> pinned to Key Vault service
    /// version 7.6 with the SDK's default retries, except that a read does not wait on a <c>Retry-After</c> longer
    /// than 5 seconds: it fails with that hint and the provider, which keeps serving the last good key, waits instead.
    /// A value longer than the 25 KB Key Vault can store is refused.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Whoever creates the options, KeyVaulting reads at most 256 KiB of an answer (far more than any Key Vault
    /// answer): a larger one, from a misrouted <c>VaultUri</c> or a proxy, fails naming the source and is never held
    /// in memory. To options of your own it adds that cap, once, before the <see cref="SecretClient"/> is created
    /// (a pipeline policy next to the transport), and it changes nothing else: your service version, retries,
    /// transport and diagnostics are used as they are. The same instance may be shared by several sources.
    /// </para>
    /// <para>
    /// The SDK logs only allow-listed headers and query parameters and no content. Keep it that way: content logging
    /// (<c>Diagnostics.IsLoggingContentEnabled</c>) would write the secret to the logs and is refused.
    /// </para>
    /// </remarks>
    public SecretClientOptions? ClientOptions { get; set; }
}
