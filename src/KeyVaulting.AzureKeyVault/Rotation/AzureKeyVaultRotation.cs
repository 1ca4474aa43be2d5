using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Internal.Validators;

namespace KeyVaulting.AzureKeyVault;

/// <summary>
/// The write side of an Azure Key Vault secret, for automated rotation (package <c>KeyVaulting.Rotation</c>): give the
/// target to the rotation with
/// <c>services.AddOpenAIKeyRotation(…).UseTarget(sp =&gt; AzureKeyVaultRotation.CreateTarget(sp, new Uri("https://my-vault.vault.azure.net/"), "openai-api-key"))</c>,
/// or select it from configuration with <c>"Target": { "Type": "AzureKeyVault", "VaultUri": "https://my-vault.vault.azure.net/", "SecretName": "openai-api-key" }</c>.
/// </summary>
/// <remarks>
/// Every change is a new version of the secret (<c>SetSecret</c>): its value the current key, which the source reads;
/// its tags the key's id, the rotation under way and the replaced key's record; its expiration date the key's. Key
/// Vault has no conditional write, so the winner among rotators is decided by listing the versions after each write.
/// Once the replaced key is revoked, the versions that held it are disabled. The rotator's identity needs the
/// <c>Key Vault Secrets Officer</c> role on the secret (or the get, list and set secret permissions).
/// </remarks>
public static class AzureKeyVaultRotation
{
    /// <summary>Creates the rotation target of a secret, described with the source's options.</summary>
    /// <param name="services">The application's services (time, logging).</param>
    /// <param name="vaultUri">The vault's URI, for example <c>https://my-vault.vault.azure.net/</c>.</param>
    /// <param name="secretName">The name of the secret, for example <c>openai-api-key</c>: the secret its source reads.</param>
    /// <param name="configure">Configures the credential and the Azure SDK client options, as for the source.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, or describes a secret that cannot be rotated (a pinned version, a JSON field).</exception>
    public static IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services, Uri vaultUri, string secretName, Action<AzureKeyVaultKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        if (!AzureKeyVaultKeySourceOptionsCustomValidator.IsValidVaultUri(vaultUri))
        {
            throw new ArgumentException($"The vault URI must be {AzureKeyVaultKeySourceOptionsCustomValidator.VaultUriRule}, without user information.", nameof(vaultUri));
        }

        if (AzureKeyVaultKeySourceOptionsCustomValidator.SecretNameProblem(secretName) is { } nameProblem)
        {
            throw new ArgumentException(nameProblem, nameof(secretName));
        }

        var name = AzureKeyVaultKeySource.NameOf(secretName, version: null);
        var options = StoreOptions.Configure(new AzureKeyVaultKeySourceOptions { VaultUri = vaultUri, SecretName = secretName }, configure, name, AzureKeyVaultKeySourceFactory.Validators);
        if (AzureKeyVaultRotationTargetFactory.Problem(options) is { } problem)
        {
            throw new ArgumentException(problem, nameof(configure));
        }

        return AzureKeyVaultRotationTargetFactory.Create(options, services, name);
    }
}
