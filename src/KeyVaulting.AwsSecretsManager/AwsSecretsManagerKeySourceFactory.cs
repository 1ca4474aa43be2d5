using Microsoft.Extensions.Configuration;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Internal.Validators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AwsSecretsManager;

/// <summary>
/// Creates <see cref="AwsSecretsManagerKeySource"/>, from code (<c>AddAwsSecretsManager</c>) or from configuration
/// (<c>Type: AwsSecretsManager</c>; the core finds this type by name when configuration selects it, so no code call is
/// needed). There is deliberately no configuration key for credentials: they come from the AWS chain or a named
/// profile, never from application settings.
/// </summary>
internal sealed class AwsSecretsManagerKeySourceFactory : IOpenAIKeySourceFactory
{
    /// <summary>The generated and the custom validator of the options.</summary>
    public static readonly IValidateOptions<AwsSecretsManagerKeySourceOptions>[] Validators =
        [new AwsSecretsManagerKeySourceOptionsValidator(), AwsSecretsManagerKeySourceOptionsCustomValidator.Instance];

    public string TypeName => AwsSecretsManagerKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
        => Create(StoreOptions.Bind(context, static (c, o, b) => c.Bind(o, b), Validators), context.Services);

    /// <summary>
    /// Creates the source of valid options with the application's time and logging, and the package's named HTTP
    /// client when <c>AddAwsSecretsManager</c> registered it (else a client of its own).
    /// </summary>
    public static AwsSecretsManagerKeySource Create(AwsSecretsManagerKeySourceOptions options, IServiceProvider services)
    {
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<AwsSecretsManagerKeySource>() ?? NullLogger<AwsSecretsManagerKeySource>.Instance;
        return new AwsSecretsManagerKeySource(options, services, time, logger);
    }
}
