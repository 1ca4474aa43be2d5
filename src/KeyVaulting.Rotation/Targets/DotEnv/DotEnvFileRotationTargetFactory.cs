using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Rotation.Targets.DotEnv;

/// <summary>Creates the <c>.env</c> rotation target from configuration (<c>Type: DotEnvFile</c>), with the source's settings.</summary>
internal sealed class DotEnvFileRotationTargetFactory : IOpenAIKeyRotationTargetFactory
{
    public string TypeName => DotEnvFileRotationTarget.TypeName;

    public IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context)
    {
        var options = context.Bind<DotEnvFileKeySourceOptions>(static (c, o, b) => c.Bind(o, b));
        if (!DotEnvFileRotationTarget.IsValidName(options.Variable))
        {
            throw new InvalidOperationException(
                $"Configuration '{context.Configuration.Path}:{nameof(DotEnvFileKeySourceOptions.Variable)}' is not a valid .env variable name: a name starts with a letter or '_' and has only letters, digits, '_', '.' and '-'.");
        }

        return Create(options, context.Services);
    }

    public static DotEnvFileRotationTarget Create(DotEnvFileKeySourceOptions options, IServiceProvider services)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<DotEnvFileRotationTarget>() ?? NullLogger<DotEnvFileRotationTarget>.Instance;
        return new DotEnvFileRotationTarget(options, logger);
    }
}
