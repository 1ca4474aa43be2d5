namespace KeyVaulting.Sources.EnvironmentVariable;

/// <summary>Creates <see cref="EnvironmentVariableKeySource"/> from configuration (<c>Type: EnvironmentVariable</c>).</summary>
internal sealed class EnvironmentVariableKeySourceFactory : IOpenAIKeySourceFactory
{
    public string TypeName => EnvironmentVariableKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
        => new EnvironmentVariableKeySource(context.Bind<EnvironmentVariableKeySourceOptions>().Variable);
}
