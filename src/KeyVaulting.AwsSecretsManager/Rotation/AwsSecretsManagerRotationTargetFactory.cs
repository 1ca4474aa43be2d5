using Microsoft.Extensions.Configuration;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Internal.Rotation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.AwsSecretsManager;

/// <summary>
/// Creates the Secrets Manager rotation target from configuration (the rotation's <c>Target</c> section with
/// <c>Type: AwsSecretsManager</c>, the same settings as the source's). The rotation package finds this type by name.
/// </summary>
internal sealed class AwsSecretsManagerRotationTargetFactory : IOpenAIKeyRotationTargetFactory
{
    public string TypeName => AwsSecretsManagerKeySource.TypeName;

    public IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context)
    {
        var options = StoreOptions.Bind(context, static (c, o, b) => c.Bind(o, b), AwsSecretsManagerKeySourceFactory.Validators);
        if (Problem(options) is { } problem)
        {
            throw new InvalidOperationException($"Configuration '{context.Configuration.Path}' cannot be a rotation target: {problem}");
        }

        return Create(options, context.Services);
    }

    /// <summary>Creates the target of valid options with the application's time and logging, and the package's HTTP client.</summary>
    public static SecretsManagerRotationTarget Create(AwsSecretsManagerKeySourceOptions options, IServiceProvider services)
    {
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<SecretsManagerRotationTarget>() ?? NullLogger<SecretsManagerRotationTarget>.Instance;
        var secretId = options.SecretId!.Trim();
        var name = $"{AwsSecretsManagerKeySource.TypeName}:{secretId}";
        var client = new SecretsManagerClient(name, options, StoreHttpClient.Create(services, AwsSecretsManagerKeySource.HttpClientName, name, SecretsManagerClient.Endpoint), time, logger);
        return new SecretsManagerRotationTarget(name, secretId, options.JsonField!, client, time, logger);
    }

    /// <summary>Says why valid source options cannot describe a rotation target, or returns null.</summary>
    public static string? Problem(AwsSecretsManagerKeySourceOptions options)
        => string.IsNullOrWhiteSpace(options.JsonField)
            ? "JsonField is required: the rotation keeps the key's id beside the key in a JSON secret ({\"api_key\": \"sk-…\", \"keyvaulting\": {…}}). Set JsonField (for example \"api_key\") here and on the source that reads the secret."
            : options.Version is not null || !string.Equals(options.VersionStage?.Trim(), AwsSecretsManagerKeySourceOptions.CurrentVersionStage, StringComparison.Ordinal)
                ? "Version and VersionStage choose what a source reads; a rotation writes AWSPENDING and promotes AWSCURRENT. Remove them from the target's settings."
                : null;
}
