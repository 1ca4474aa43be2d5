using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Rotation;

namespace KeyVaulting.HashiCorpVault;

/// <summary>
/// Creates the KV version 2 rotation target from configuration (the rotation's <c>Target</c> section with
/// <c>Type: HashiCorpVault</c>, the same settings as the source's). The rotation package finds this type by name.
/// </summary>
internal sealed class HashiCorpVaultRotationTargetFactory : IOpenAIKeyRotationTargetFactory
{
    public string TypeName => VaultDefaults.TypeName;

    public IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context)
    {
        var options = HashiCorpVaultKeySourceFactory.Bind(context);
        if (Problem(options) is { } problem)
        {
            throw new InvalidOperationException($"Configuration '{context.Configuration.Path}' cannot be a rotation target: {problem}");
        }

        return Create(options, context.Services);
    }

    /// <summary>Creates the target of valid options.</summary>
    public static VaultRotationTarget Create(HashiCorpVaultKeySourceOptions options, IServiceProvider services)
        => new(HashiCorpVaultKeySourceFactory.Connect(options, services));

    /// <summary>Says why valid source options cannot describe a rotation target, or returns null.</summary>
    public static string? Problem(HashiCorpVaultKeySourceOptions options)
        => options.IsOpenAIEngine
            ? "SecretEngine is OpenAI: Vault's OpenAI secrets plugin mints and revokes its own keys, so KeyVaulting does not rotate them; unset SecretEngine to rotate a KV version 2 secret."
            : options.KvVersion != 2
            ? "only a KV version 2 secret can be rotated (its check-and-set writes let one rotator win); set KvVersion to 2 or rotate into another store."
            : options.Version is not null
                ? "Version pins one version of the secret, but a rotation writes new ones; remove Version."
                : null;
}
