using KeyVaulting.HashiCorpVault.Internal.Validators;

namespace KeyVaulting.HashiCorpVault;

/// <summary>
/// The write side of a HashiCorp Vault KV version 2 secret, for automated rotation (package
/// <c>KeyVaulting.Rotation</c>): give the target to the rotation with
/// <c>services.AddOpenAIKeyRotation(…).UseTarget(sp =&gt; HashiCorpVaultRotation.CreateTarget(sp, "openai"))</c>, or
/// select it from configuration with <c>"Target": { "Type": "HashiCorpVault", "Path": "openai" }</c>.
/// </summary>
/// <remarks>
/// Every change is a new version of the secret written with check-and-set (<c>options.cas</c>), so that of several
/// rotators exactly one makes each step. The key stays in its field (<c>JsonField</c>, default <c>api_key</c>), which
/// is all the source reads; the key's id, the staged key and the replaced key's id are kept in the secret's
/// <c>keyvaulting</c> field. The rotator's token needs <c>read</c>, <c>create</c> and <c>update</c> on
/// <c>{mount}/data/{path}</c>.
/// </remarks>
public static class HashiCorpVaultRotation
{
    /// <summary>Creates the rotation target of a KV version 2 secret, described with the source's options.</summary>
    /// <param name="services">The application's services (time, logging, the named HTTP client).</param>
    /// <param name="path">The secret's path inside the mount, for example <c>openai</c>: the path its source reads.</param>
    /// <param name="configure">Configures the address, mount, field, TLS and authentication, as for the source.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, or describes a secret that cannot be rotated (KV version 1, a pinned version).</exception>
    public static IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services, string path, Action<HashiCorpVaultKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (HashiCorpVaultKeySourceOptionsCustomValidator.PathProblem(path) is { } problem)
        {
            throw new ArgumentException(problem, nameof(path));
        }

        var options = new HashiCorpVaultKeySourceOptions { Path = path };
        configure?.Invoke(options);
        StoreOptions.Configure(options, configure: null, Internal.VaultSourceSettings.SourceNameOf(options.MountPoint, path), HashiCorpVaultKeySourceFactory.Validators);
        if (HashiCorpVaultRotationTargetFactory.Problem(options) is { } rotationProblem)
        {
            throw new ArgumentException(rotationProblem, nameof(configure));
        }

        return HashiCorpVaultRotationTargetFactory.Create(options, services);
    }
}
