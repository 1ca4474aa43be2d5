using KeyVaulting.Sources.EnvironmentVariable;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class OpenAIKeyProviderBuilderExtensions
{
    /// <summary>
    /// Adds an environment variable to the end of the chain. It is re-read on every refresh, so a changed variable
    /// is picked up; an unset or empty variable falls through to the next source.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="variable">The variable's name, never the key itself. Default: <c>OPENAI_API_KEY</c>.</param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException"><paramref name="variable"/> is empty, or looks like a key rather than a name (the message does not repeat it).</exception>
    public static IOpenAIKeyProviderBuilder AddEnvironmentVariable(this IOpenAIKeyProviderBuilder builder, string variable = "OPENAI_API_KEY")
    {
        Throw.IfNull(builder);
        Throw.IfNullOrWhiteSpace(variable);
        return builder.AddSource(new EnvironmentVariableKeySource(variable));
    }
}
