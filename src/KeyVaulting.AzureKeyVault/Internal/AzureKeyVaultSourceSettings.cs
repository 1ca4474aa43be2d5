using System.ComponentModel.DataAnnotations;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// The configuration of an Azure Key Vault source (<c>"Type": "AzureKeyVault"</c>). Secrets never come from here:
/// a client secret is read from the environment variable that <see cref="ClientSecretEnvironmentVariable"/> names.
/// </summary>
internal sealed class AzureKeyVaultSourceSettings
{
    /// <summary>Gets or sets the vault's URI, for example <c>https://my-vault.vault.azure.net/</c>.</summary>
    [Required]
    public string? VaultUri { get; set; }

    /// <summary>Gets or sets the name of the secret that holds the key.</summary>
    [Required]
    public string? SecretName { get; set; }

    /// <summary>Gets or sets the pinned version; unset follows the latest.</summary>
    public string? Version { get; set; }

    /// <summary>Gets or sets the JSON property that holds the key, when the secret is a JSON object.</summary>
    public string? JsonField { get; set; }

    /// <summary>Gets or sets the credential: Default, ManagedIdentity, WorkloadIdentity, AzureCli or ClientSecret.</summary>
    public string? Credential { get; set; }

    /// <summary>Gets or sets the client id of a user-assigned managed identity (Default, ManagedIdentity).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Gets or sets the Microsoft Entra tenant (Default, WorkloadIdentity, AzureCli, ClientSecret).</summary>
    public string? TenantId { get; set; }

    /// <summary>Gets or sets the application (client) id (WorkloadIdentity, ClientSecret).</summary>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the environment variable that holds the client secret (ClientSecret).</summary>
    public string? ClientSecretEnvironmentVariable { get; set; }
}
