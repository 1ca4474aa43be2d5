using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>Creates <see cref="DotEnvFileKeySource"/> from configuration (<c>Type: DotEnvFile</c>).</summary>
internal sealed class DotEnvFileKeySourceFactory : IOpenAIKeySourceFactory
{
    public string TypeName => DotEnvFileKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
        => Create(context.Bind<DotEnvFileKeySourceOptions>(), context.Services);

    public static DotEnvFileKeySource Create(DotEnvFileKeySourceOptions options, IServiceProvider services)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<DotEnvFileKeySource>() ?? NullLogger<DotEnvFileKeySource>.Instance;
        return new DotEnvFileKeySource(options, logger);
    }
}
