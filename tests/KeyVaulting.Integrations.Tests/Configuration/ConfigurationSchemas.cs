using System.Text.Json.Nodes;
using KeyVaulting.AzureOpenAI;

namespace KeyVaulting.Integrations.Tests.Configuration;

/// <summary>
/// What each package's <c>ConfigurationSchema.json</c> describes. The core describes the <c>KeyVaulting</c> section
/// (the provider's options, <c>Chain</c>, <c>Sources</c> with the environment-variable and <c>.env</c> settings) and the
/// <c>OpenAI</c> section (<see cref="OpenAIClientSettings"/>); each store package adds its source's settings to
/// <c>KeyVaulting:Sources:&lt;name&gt;</c>; <c>KeyVaulting.AzureOpenAI</c> describes the <c>AzureOpenAI</c> section.
/// Each store's settings are its options type, the one its factory binds by name from configuration (code-only members
/// such as credentials are left out), so a changed store fails here until its schema is regenerated.
/// </summary>
internal static class ConfigurationSchemas
{
    /// <summary>Every package that ships a schema, with the path of its file under <c>src/</c>.</summary>
    public static IReadOnlyList<string> Packages { get; } =
        ["KeyVaulting", "KeyVaulting.AzureKeyVault", "KeyVaulting.AwsSecretsManager", "KeyVaulting.HashiCorpVault", "KeyVaulting.AzureOpenAI"];

    /// <summary>The source types, in the order their settings are listed, and the type each one's configuration binds.</summary>
    private static readonly (string Package, string SourceType, Type Settings)[] Sources =
    [
        ("KeyVaulting", "EnvironmentVariable", Internal("KeyVaulting", "KeyVaulting.Sources.EnvironmentVariable.EnvironmentVariableKeySourceOptions")),
        ("KeyVaulting", "DotEnvFile", typeof(DotEnvFileKeySourceOptions)),
        ("KeyVaulting.AzureKeyVault", "AzureKeyVault", typeof(KeyVaulting.AzureKeyVault.AzureKeyVaultKeySourceOptions)),
        ("KeyVaulting.AwsSecretsManager", "AwsSecretsManager", typeof(KeyVaulting.AwsSecretsManager.AwsSecretsManagerKeySourceOptions)),
        ("KeyVaulting.HashiCorpVault", "HashiCorpVault", typeof(KeyVaulting.HashiCorpVault.HashiCorpVaultKeySourceOptions)),
    ];

    public static JsonObject For(string package) => package switch
    {
        "KeyVaulting" => Core(),
        "KeyVaulting.AzureOpenAI" => Root("AzureOpenAI", ConfigurationSchemaGenerator.ObjectOf(
            typeof(AzureOpenAIClientSettings),
            closed: true,
            "The Azure OpenAI client: services.AddAzureOpenAIClient(configuration.GetSection(\"AzureOpenAI\")). The key comes from the key provider, never from here.")),
        _ => Root("KeyVaulting", new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["Sources"] = SourcesObject(package) },
        }),
    };

    private static JsonObject Core()
    {
        var keyVaulting = ConfigurationSchemaGenerator.ObjectOf(
            typeof(OpenAIKeyProviderOptions),
            closed: true,
            "KeyVaulting's default OpenAI key provider: services.AddOpenAIKeyProvider(configuration.GetSection(\"KeyVaulting\")). Every setting is validated when the host starts; an unknown one fails it.");
        var properties = keyVaulting["properties"]!.AsObject();
        properties["Chain"] = new JsonObject
        {
            ["type"] = "string",
            ["description"] = "The sources to read, in order, as one comma-separated string of names under Sources, for example \"Env, DotEnv\" (a string, not an array, so that an environment's file replaces the chain whole). Required with more than one source.",
        };
        properties["Sources"] = SourcesObject("KeyVaulting");
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["KeyVaulting"] = keyVaulting,
                ["OpenAI"] = ConfigurationSchemaGenerator.ObjectOf(
                    typeof(OpenAIClientSettings),
                    closed: true,
                    "The OpenAI client: services.AddOpenAIClient(configuration.GetSection(\"OpenAI\")). The key comes from the key provider, never from here."),
            },
        };
    }

    /// <summary>
    /// <c>Sources</c>: named source objects whose settings are those of every source type the package adds. A setting
    /// that two source types (of any package) both have with different types is described without a type, so that the
    /// merged schema accepts both.
    /// </summary>
    private static JsonObject SourcesObject(string package)
    {
        var source = new JsonObject();
        if (package == "KeyVaulting")
        {
            source["Type"] = new JsonObject
            {
                ["type"] = "string",
                ["description"] = "The source's type: EnvironmentVariable, DotEnvFile, AzureKeyVault (package KeyVaulting.AzureKeyVault), AwsSecretsManager (KeyVaulting.AwsSecretsManager), HashiCorpVault (KeyVaulting.HashiCorpVault), or one registered with AddSourceFactory<T>(). Default: the source's name.",
            };
        }

        var all = Sources.Select(s => (s.Package, s.SourceType, Properties: ConfigurationSchemaGenerator.PropertiesOf(s.Settings, $"({s.SourceType}) "))).ToList();
        var conflicting = all.SelectMany(s => s.Properties.Select(p => (p.Key, Shape: Shape(p.Value!))))
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .Where(g => g.Select(p => p.Shape).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

        foreach (var (_, _, properties) in all.Where(s => s.Package == package))
        {
            foreach (var (name, schema) in properties.ToList())
            {
                properties.Remove(name);
                var property = schema!.AsObject();
                if (conflicting.Contains(name))
                {
                    foreach (var typed in new[] { "type", "pattern", "format", "minimum", "maximum", "default", "enum" })
                    {
                        property.Remove(typed);
                    }
                }

                if (source[name] is JsonObject existing)
                {
                    // The same setting in two source types of this package: one entry, both descriptions.
                    existing["description"] = $"{existing["description"]} {property["description"]}";
                    if (!JsonNode.DeepEquals(existing["default"], property["default"]))
                    {
                        existing.Remove("default");
                    }
                }
                else
                {
                    source[name] = property;
                }
            }
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["description"] = "The sources Chain can name, each under a name of your choice: { \"Env\": { \"Type\": \"EnvironmentVariable\", \"Variable\": \"OPENAI_API_KEY\" } }. Sources Chain does not name are ignored.",
            ["additionalProperties"] = new JsonObject { ["type"] = "object", ["properties"] = source },
        };
    }

    private static JsonObject Root(string section, JsonObject schema)
        => new() { ["type"] = "object", ["properties"] = new JsonObject { [section] = schema } };

    private static string Shape(JsonNode schema)
        => $"{schema["type"]}|{schema["format"]}|{schema["pattern"]}|{schema["enum"]?.ToJsonString()}";

    private static Type Internal(string assembly, string type)
        => Type.GetType($"{type}, {assembly}", throwOnError: false)
           ?? throw new InvalidOperationException($"{type} was not found in {assembly}: the store's options were reshaped. Point ConfigurationSchemas at the type its factory binds now, then regenerate the schemas.");
}
