using KeyVaulting;
using KeyVaulting.DependencyInjection.Internal;
using KeyVaulting.Sources.DotEnv;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class OpenAIKeyProviderBuilderExtensions
{
    /// <summary>
    /// Adds a <c>.env</c> file to the end of the chain. The file is re-read on every refresh, so an edited file is
    /// picked up; a missing file or variable falls through to the next source; a malformed line fails with the file
    /// and line number.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="path">The file's path; a relative path is also looked for in the parent directories. Default: <c>.env</c>.</param>
    /// <param name="variable">The variable in the file. Default: <c>OPENAI_API_KEY</c>.</param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">A name is empty, or looks like a key rather than a name (the message does not repeat it).</exception>
    public static IOpenAIKeyProviderBuilder AddDotEnvFile(this IOpenAIKeyProviderBuilder builder, string path = ".env", string variable = "OPENAI_API_KEY")
    {
        Throw.IfNullOrWhiteSpace(path);
        Throw.IfNullOrWhiteSpace(variable);
        CheckNames(path, variable, nameof(path), nameof(variable));
        return builder.AddDotEnvFile(options =>
        {
            options.Path = path;
            options.Variable = variable;
        });
    }

    /// <summary>Adds a <c>.env</c> file to the end of the chain, with all of its options.</summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="configure">Configures the source.</param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">A name is empty, or looks like a key rather than a name (the message does not repeat it).</exception>
    public static IOpenAIKeyProviderBuilder AddDotEnvFile(this IOpenAIKeyProviderBuilder builder, Action<DotEnvFileKeySourceOptions> configure)
    {
        Throw.IfNull(builder);
        Throw.IfNull(configure);
        var options = new DotEnvFileKeySourceOptions();
        configure(options);
        var pathSetting = $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Path)}";
        var variableSetting = $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Variable)}";
        Throw.IfNullOrWhiteSpace(options.Path, pathSetting);
        Throw.IfNullOrWhiteSpace(options.Variable, variableSetting);
        CheckNames(options.Path, options.Variable, pathSetting, variableSetting);
        return builder.AddSource(sp => DotEnvFileKeySourceFactory.Create(options, sp));
    }

    private static void CheckNames(string path, string variable, string pathParameter, string variableParameter)
    {
        SecretShapedNames.ThrowIfSecretShaped(
            path, pathParameter, $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Path)}", DotEnvFileKeySource.PathFix);
        SecretShapedNames.ThrowIfSecretShaped(
            variable, variableParameter, $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Variable)}", DotEnvFileKeySource.VariableFix);
    }
}
