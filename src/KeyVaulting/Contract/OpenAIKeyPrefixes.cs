namespace KeyVaulting;

/// <summary>The prefixes OpenAI keys start with, longest first: a fingerprint keeps one, the normalizer recognises them.</summary>
internal static class OpenAIKeyPrefixes
{
    private static readonly string[] All = ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"];

    /// <summary>Returns the known prefix <paramref name="value"/> starts with, or an empty string.</summary>
    public static string Of(ReadOnlySpan<char> value)
    {
        foreach (var prefix in All)
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal))
            {
                return prefix;
            }
        }

        return string.Empty;
    }
}
