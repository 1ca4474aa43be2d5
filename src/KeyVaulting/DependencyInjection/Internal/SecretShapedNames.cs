namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>
/// Refuses a key given where a name is expected (a variable's name, a path, a provider or a source name), with a
/// message that says which setting and how to fix it and never repeats the value: a name goes into logs, metric and
/// activity tags, health entries and error messages.
/// </summary>
internal static class SecretShapedNames
{
    private const string Problem = "looks like an API key or another secret (an 'sk-…' key, a bearer token or a JWT), not a name";

    private const string NotShown = "The value is not shown because it may be a secret; if it is one, rotate it.";

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="value"/> has the shape of a secret.</summary>
    /// <param name="value">The name to check.</param>
    /// <param name="paramName">The parameter that took it.</param>
    /// <param name="what">What the value is, for example <c>The environment variable name</c>.</param>
    /// <param name="fix">What to give instead.</param>
    public static void ThrowIfSecretShaped(string? value, string paramName, string what, string fix)
    {
        if (SecretShapes.IsSecretShapedName(value))
        {
            throw new ArgumentException($"{what} {Problem}. {fix} {NotShown}", paramName);
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> when the configured <paramref name="value"/> has the shape of a secret.</summary>
    /// <param name="value">The configured name.</param>
    /// <param name="path">The configuration path of the setting.</param>
    /// <param name="fix">What to configure instead.</param>
    public static void ThrowIfSecretShapedSetting(string? value, string path, string fix)
    {
        if (SecretShapes.IsSecretShapedName(value))
        {
            throw new InvalidOperationException($"Configuration '{path}' {Problem}. {fix} {NotShown}");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a source's name has the shape of a secret, or is empty.</summary>
    /// <param name="source">The source.</param>
    /// <param name="paramName">The parameter that took it.</param>
    public static void ThrowIfSecretShapedSourceName(IOpenAIKeySource source, string paramName)
    {
        if (Describe(source) is { } problem)
        {
            throw new ArgumentException($"The Name of the source {source.GetType().FullName} {problem}", paramName);
        }
    }

    /// <summary>Returns why a source's name cannot be used, or <see langword="null"/> when it can.</summary>
    /// <param name="source">The source.</param>
    public static string? Describe(IOpenAIKeySource source)
    {
        var name = source.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return "is empty. Give the source a name that says where the key is, for example 'MyStore:openai-api-key'.";
        }

        return SecretShapes.IsSecretShapedName(name)
            ? $"{Problem}. A source's name appears in logs, metrics and errors: make it say where the key is, for example 'MyStore:openai-api-key', never the key itself. {NotShown}"
            : null;
    }
}
