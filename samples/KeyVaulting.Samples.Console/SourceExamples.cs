namespace KeyVaulting.Samples.Console;

/// <summary><c>--source env|dotenv|azure|aws|vault</c>: the code and configuration that select each store.</summary>
internal static class SourceExamples
{
    private static readonly Dictionary<string, (string Code, string Json)> Examples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["env"] = (
            """services.AddOpenAIKeyProvider().AddEnvironmentVariable("OPENAI_API_KEY");""",
            """{ "KeyVaulting": { "Sources": { "Env": { "Type": "EnvironmentVariable", "Variable": "OPENAI_API_KEY" } } } }"""),
        ["dotenv"] = (
            """services.AddOpenAIKeyProvider().AddDotEnvFile(".env", "OPENAI_API_KEY");""",
            """{ "KeyVaulting": { "Sources": { "DotEnv": { "Type": "DotEnvFile", "Path": ".env", "Variable": "OPENAI_API_KEY" } } } }"""),
        ["azure"] = (
            """services.AddOpenAIKeyProvider().AddAzureKeyVault(new Uri("https://my-vault.vault.azure.net/"), "openai-api-key");  // KeyVaulting.AzureKeyVault""",
            """{ "KeyVaulting": { "Sources": { "Vault": { "Type": "AzureKeyVault", "VaultUri": "https://my-vault.vault.azure.net/", "SecretName": "openai-api-key" } } } }"""),
        ["aws"] = (
            """services.AddOpenAIKeyProvider().AddAwsSecretsManager("prod/openai-api-key", o => o.Region = "eu-west-1");  // KeyVaulting.AwsSecretsManager""",
            """{ "KeyVaulting": { "Sources": { "Aws": { "Type": "AwsSecretsManager", "SecretId": "prod/openai-api-key", "Region": "eu-west-1" } } } }"""),
        ["vault"] = (
            """services.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o => o.Address = new Uri("https://vault.example.com:8200"));  // KeyVaulting.HashiCorpVault""",
            """{ "KeyVaulting": { "Sources": { "Vault": { "Type": "HashiCorpVault", "Address": "https://vault.example.com:8200", "Path": "openai", "JsonField": "api_key" } } } }"""),
    };

    public static int Show(string? store, TextWriter output, TextWriter error)
    {
        if (store is null || !Examples.TryGetValue(store, out var example))
        {
            error.WriteLine($"Unknown source '{store}'. Choose one of: {string.Join(", ", Examples.Keys)}.");
            return 1;
        }

        output.WriteLine($"In code:\n  {example.Code}\n");
        output.WriteLine($"Or in appsettings.json, with services.AddOpenAIKeyProvider(configuration.GetSection(\"KeyVaulting\")):\n  {example.Json}\n");
        output.WriteLine("Then run with --live to use it against the real API.");
        return 0;
    }
}
