namespace KeyVaulting.Shared;

/// <summary>
/// Helpers for the sentences of messages. Compiled from src/Shared into the packages that list it in their csproj
/// (KeyVaulting.Rotation, KeyVaulting.AzureKeyVault).
/// </summary>
internal static class Sentences
{
    /// <summary>The text with its first character in upper case, to start a sentence with a phrase such as "the secret 'x'".</summary>
    public static string Capitalize(string text)
        => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
