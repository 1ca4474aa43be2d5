using Microsoft.Extensions.Configuration;
using KeyVaulting.DependencyInjection.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>Creates <see cref="DotEnvFileKeySource"/> from configuration (<c>Type: DotEnvFile</c>).</summary>
internal sealed class DotEnvFileKeySourceFactory : IOpenAIKeySourceFactory
{
    public string TypeName => DotEnvFileKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
    {
        var options = context.Bind<DotEnvFileKeySourceOptions>(static (c, o, b) => c.Bind(o, b));
        var path = context.Configuration.Path;
        SecretShapedNames.ThrowIfSecretShapedSetting(options.Path, $"{path}:{nameof(DotEnvFileKeySourceOptions.Path)}", DotEnvFileKeySource.PathFix);
        SecretShapedNames.ThrowIfSecretShapedSetting(options.Variable, $"{path}:{nameof(DotEnvFileKeySourceOptions.Variable)}", DotEnvFileKeySource.VariableFix);
        if (!DotEnvParser.IsValidName(options.Variable))
        {
            // The configured value is not repeated: a confused user may have put the key itself there.
            throw new InvalidOperationException(
                $"Configuration '{context.Configuration.Path}:{nameof(DotEnvFileKeySourceOptions.Variable)}' is not a valid .env variable name: {DotEnvFileKeySource.VariableNameRule}.");
        }

        return Create(options, context.Services);
    }

    public static DotEnvFileKeySource Create(DotEnvFileKeySourceOptions options, IServiceProvider services)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<DotEnvFileKeySource>() ?? NullLogger<DotEnvFileKeySource>.Instance;
        return new DotEnvFileKeySource(options, logger);
    }
}
