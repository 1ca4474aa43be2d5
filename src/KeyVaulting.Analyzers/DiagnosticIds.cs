namespace KeyVaulting.Analyzers;

/// <summary>The ids of KeyVaulting's diagnostics; each has a section in <c>docs/analyzers.md</c>.</summary>
public static class DiagnosticIds
{
    /// <summary>KV0001: a string constant holds an OpenAI API key.</summary>
    public const string HardCodedKey = "KV0001";

    /// <summary>KV0002: a constant is passed where the OpenAI SDK takes an API key.</summary>
    public const string ConstantKeyArgument = "KV0002";

    /// <summary>KV0003: a settings file that the build sees holds an OpenAI API key.</summary>
    public const string SettingsFileKey = "KV0003";
}
