using Microsoft.Extensions.Configuration;
using KeyVaulting.DependencyInjection.Internal;

namespace KeyVaulting.Sources.EnvironmentVariable;

/// <summary>Creates <see cref="EnvironmentVariableKeySource"/> from configuration (<c>Type: EnvironmentVariable</c>).</summary>
internal sealed class EnvironmentVariableKeySourceFactory : IOpenAIKeySourceFactory
{
    public string TypeName => EnvironmentVariableKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
    {
        var variable = context.Bind<EnvironmentVariableKeySourceOptions>(static (c, o, b) => c.Bind(o, b)).Variable;
        SecretShapedNames.ThrowIfSecretShapedSetting(
            variable,
            $"{context.Configuration.Path}:{nameof(EnvironmentVariableKeySourceOptions.Variable)}",
            EnvironmentVariableKeySource.NameFix);
        return new EnvironmentVariableKeySource(variable);
    }
}
