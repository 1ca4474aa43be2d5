using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Internal.Validators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.AwsSecretsManager;

/// <summary>
/// Creates <see cref="AwsSecretsManagerKeySource"/> from configuration (<c>Type: AwsSecretsManager</c>) with the keys
/// <c>SecretId</c>, <c>Region</c>, <c>ServiceUrl</c>, <c>Profile</c>, <c>VersionStage</c>, <c>VersionId</c> and
/// <c>JsonKey</c>. The core finds it by name when configuration selects the type, so no code call is needed.
/// </summary>
internal sealed class AwsSecretsManagerKeySourceFactory : IOpenAIKeySourceFactory
{
    public string TypeName => AwsSecretsManagerKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
    {
        var settings = context.Bind<AwsSecretsManagerKeySourceSettings>();
        var errors = new List<string>();

        Uri? serviceUrl = null;
        if (!string.IsNullOrWhiteSpace(settings.ServiceUrl) && !Uri.TryCreate(settings.ServiceUrl.Trim(), UriKind.Absolute, out serviceUrl))
        {
            errors.Add("ServiceUrl must be an absolute https:// (or http:// for local development) URL.");
        }

        var options = new AwsSecretsManagerKeySourceOptions
        {
            Region = settings.Region,
            ServiceUrl = serviceUrl,
            Profile = settings.Profile,
            VersionStage = settings.VersionStage,
            VersionId = settings.VersionId,
            JsonKey = settings.JsonKey,
        };

        errors.AddRange(AwsSecretsManagerKeySourceOptionsValidator.Validate(settings.SecretId, options).Distinct());
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Configuration '{context.Configuration.Path}' (Type {TypeName}) is invalid: {string.Join(" ", errors.Distinct())}");
        }

        return Create(settings.SecretId!, options, context.Services);
    }

    /// <summary>
    /// Creates the source with the application's time and logging, and the package's named HTTP client when
    /// <c>AddAwsSecretsManager</c> registered it (else a client of its own).
    /// </summary>
    public static AwsSecretsManagerKeySource Create(string secretId, AwsSecretsManagerKeySourceOptions options, IServiceProvider services)
    {
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<AwsSecretsManagerKeySource>() ?? NullLogger<AwsSecretsManagerKeySource>.Instance;
        return new AwsSecretsManagerKeySource(secretId.Trim(), options, services, time, logger);
    }
}
