using Microsoft.CodeAnalysis;

namespace KeyVaulting.Analyzers.Internal;

/// <summary>The diagnostics KeyVaulting reports at build time. Messages show a key's fingerprint, never the key.</summary>
internal static class Descriptors
{
    /// <summary>Where the documentation of every diagnostic lives; each id has its anchor (<c>#kv0001</c>).</summary>
    public const string HelpLinkBase = "https://github.com/keyvaulting/keyvaulting/blob/main/docs/analyzers.md#";

    private const string Category = "Security";

    public static readonly DiagnosticDescriptor HardCodedKey = new(
        DiagnosticIds.HardCodedKey,
        title: "An OpenAI API key is hard-coded",
        messageFormat: "This string holds an OpenAI {0} ({1}): revoke the key in the OpenAI dashboard, then read the key at run time with AddOpenAIKeyProvider() from OPENAI_API_KEY, an uncommitted .env file or a secret store",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A key in source code ends up in the repository's history and in the compiled assembly, where anyone with either can use it. Treat it as leaked.",
        helpLinkUri: HelpLinkBase + "kv0001");

    public static readonly DiagnosticDescriptor ConstantKeyArgument = new(
        DiagnosticIds.ConstantKeyArgument,
        title: "A constant is passed as the OpenAI API key",
        messageFormat: "'{0}' receives a constant as its API key ({1}): register the client with AddOpenAIClient() and inject it, so that the key is read at run time and can rotate",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A constant key is either a leaked key or a placeholder that cannot rotate; the OpenAI client should get the current key from an IOpenAIKeyProvider.",
        helpLinkUri: HelpLinkBase + "kv0002");

    public static readonly DiagnosticDescriptor SettingsFileKey = new(
        DiagnosticIds.SettingsFileKey,
        title: "A settings file holds an OpenAI API key",
        messageFormat: "'{0}' holds an OpenAI {1} ({2}): remove it and revoke the key; keep development keys in OPENAI_API_KEY or an uncommitted .env file, production keys in a secret store",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "appsettings*.json, launchSettings.json and secrets.json files next to a project are usually committed and often published with the application.",
        helpLinkUri: HelpLinkBase + "kv0003");
}
