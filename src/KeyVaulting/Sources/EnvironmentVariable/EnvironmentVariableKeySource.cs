namespace KeyVaulting.Sources.EnvironmentVariable;

/// <summary>Reads the key from an environment variable of the process, on every fetch.</summary>
internal sealed class EnvironmentVariableKeySource : IOpenAIKeySource
{
    public const string TypeName = "EnvironmentVariable";

    private readonly string _variable;

    public EnvironmentVariableKeySource(string variable)
    {
        _variable = variable;
        Name = $"{TypeName}:{variable}";
    }

    public string Name { get; }

    public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        var value = Environment.GetEnvironmentVariable(_variable);
        if (value is null)
        {
            return new(OpenAIKeySourceResult.NotFound($"the environment variable {_variable} is not set"));
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return new(OpenAIKeySourceResult.NotFound($"the environment variable {_variable} is set but empty"));
        }

        return new(OpenAIKeySourceResult.Found(value));
    }
}
