using KeyVaulting.DependencyInjection.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Sources.Configuration;

/// <summary>
/// Builds a provider's chain from configuration:
/// <code>
/// "KeyVaulting": {
///   "Chain": "Env, DotEnv",
///   "Sources": {
///     "Env":    { "Type": "EnvironmentVariable", "Variable": "OPENAI_API_KEY" },
///     "DotEnv": { "Type": "DotEnvFile", "Path": ".env" },
///     "Vault":  { "Type": "AzureKeyVault", "VaultUri": "https://…", "SecretName": "openai-api-key" }
///   }
/// }
/// </code>
/// <c>Chain</c> is one comma-separated string, not an array: .NET configuration merges arrays by index, so an
/// <c>appsettings.{Environment}.json</c> with a shorter array would leave a stale source behind, whereas a string
/// is replaced whole. Sources not named in <c>Chain</c> are ignored, so every environment's sources can be defined
/// side by side.
/// </summary>
internal static class ConfigurationKeySourceChain
{
    public const string ChainKey = "Chain";
    public const string SourcesKey = "Sources";
    public const string TypeKey = "Type";

    public static readonly string[] ProviderReservedKeys = [ChainKey, SourcesKey];

    public static IEnumerable<IOpenAIKeySource> Create(IConfiguration configuration, string providerName, IServiceProvider services)
    {
        var root = configuration is IConfigurationSection section ? section.Path : "(root)";
        var sources = configuration.GetSection(SourcesKey);
        var defined = sources.GetChildren().Select(c => c.Key).ToList();
        var chain = configuration.GetSection(ChainKey);

        if (chain.GetChildren().Any())
        {
            // A string in one file and an array in another (appsettings.json and appsettings.Production.json) merge into
            // a section with both: the string would win silently and the environment's chain be ignored.
            throw new InvalidOperationException(chain.Value is null
                ? $"Configuration '{chain.Path}' must be one comma-separated string such as \"Env, DotEnv\", not an array: " +
                  ".NET configuration merges arrays by index, so an environment's file could leave a stale source behind."
                : $"Configuration '{chain.Path}' is a string in one configuration source and an array in another (for example " +
                  "appsettings.json and an environment's appsettings.{Environment}.json): the array would be ignored. Write it as " +
                  "one comma-separated string such as \"Env, DotEnv\" in every file, so that the environment's value replaces the other.");
        }

        List<string> names;
        if (!string.IsNullOrWhiteSpace(chain.Value))
        {
            names = chain.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else if (defined.Count <= 1)
        {
            names = defined;
        }
        else
        {
            throw new InvalidOperationException(
                $"Configuration '{root}:{SourcesKey}' defines {defined.Count} sources ({string.Join(", ", defined)}) but '{root}:{ChainKey}' is not set. " +
                $"Set it to the sources to use, in order, for example \"{ChainKey}\": \"{string.Join(", ", defined)}\".");
        }

        var duplicate = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Configuration '{chain.Path}' names source '{duplicate.Key}' more than once.");
        }

        var registry = services.GetRequiredService<OpenAIKeySourceFactoryRegistry>();
        var result = new List<IOpenAIKeySource>(names.Count);
        foreach (var name in names)
        {
            var sourceSection = sources.GetSection(name);
            if (!sourceSection.GetChildren().Any())
            {
                throw new InvalidOperationException(
                    $"Configuration '{chain.Path}' names source '{name}', but '{sourceSection.Path}' is not defined. " +
                    $"Defined sources: {(defined.Count == 0 ? "none" : string.Join(", ", defined))}.");
            }

            var typeName = sourceSection[TypeKey] ?? name;
            var factory = registry.Get(typeName, sourceSection.Path);
            result.Add(factory.Create(new OpenAIKeySourceFactoryContext(providerName, sourceSection, services)));
        }

        return result;
    }
}
