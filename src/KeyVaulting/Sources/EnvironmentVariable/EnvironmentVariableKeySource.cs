using KeyVaulting.DependencyInjection.Internal;

namespace KeyVaulting.Sources.EnvironmentVariable;

/// <summary>Reads the key from an environment variable of the process, on every fetch.</summary>
internal sealed class EnvironmentVariableKeySource : IOpenAIKeySource
{
    public const string TypeName = "EnvironmentVariable";

    private readonly string _variable;

    /// <summary>The fix given when the variable's name looks like a key.</summary>
    public const string NameFix = "Give the variable's name, for example OPENAI_API_KEY, and put the key in that variable.";

    /// <summary>Initializes a new instance of the <see cref="EnvironmentVariableKeySource"/> class.</summary>
    /// <param name="variable">The variable's name.</param>
    /// <exception cref="ArgumentException"><paramref name="variable"/> looks like a key rather than a name; the message does not repeat it.</exception>
    public EnvironmentVariableKeySource(string variable)
    {
        SecretShapedNames.ThrowIfSecretShaped(variable, nameof(variable), "The environment variable name", NameFix);
        _variable = variable;
        Name = $"{TypeName}:{variable}";
    }

    public string Name { get; }

    /// <summary>Gets the variable's name, for the advice given when no source of a chain has a key.</summary>
    public string Variable => _variable;

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
