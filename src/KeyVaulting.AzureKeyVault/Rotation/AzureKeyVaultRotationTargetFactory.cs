using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Internal.Rotation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.AzureKeyVault;

/// <summary>
/// Creates the Key Vault rotation target from configuration (the rotation's <c>Target</c> section with
/// <c>Type: AzureKeyVault</c>, the same settings as the source's), declared to the rotation package with <see cref="OpenAIKeyStoreAttribute"/>.
/// </summary>
internal sealed class AzureKeyVaultRotationTargetFactory : IOpenAIKeyRotationTargetFactory
{
    public string TypeName => AzureKeyVaultKeySource.TypeName;

    public IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context)
    {
        var options = AzureKeyVaultKeySourceFactory.Bind(context);
        if (Problem(options) is { } problem)
        {
            throw new InvalidOperationException($"Configuration '{context.Configuration.Path}' cannot be a rotation target: {problem}");
        }

        return Create(options, context.Services, $"Configuration '{context.Configuration.Path}'");
    }

    /// <summary>Creates the target of valid options: the credential and client options as for the source.</summary>
    public static KeyVaultRotationTarget Create(AzureKeyVaultKeySourceOptions options, IServiceProvider services, string where)
    {
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var (client, credentialName) = AzureKeyVaultKeySourceFactory.CreateClient(services, options, where);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(AzureKeyVaultKeySourceFactory.LoggerCategory) ?? NullLogger.Instance;
        return new KeyVaultRotationTarget(client, options.SecretName!, credentialName, time, logger);
    }

    /// <summary>Says why valid source options cannot describe a rotation target, or returns null.</summary>
    public static string? Problem(AzureKeyVaultKeySourceOptions options)
        => options.Version is not null
            ? "Version pins one version of the secret, but a rotation writes new ones; remove Version."
            : options.JsonField is not null
                ? "JsonField reads the key from a JSON secret, but a rotation writes the key as the whole value (its id and state go in the version's tags); remove JsonField here and on the source."
                : null;
}
