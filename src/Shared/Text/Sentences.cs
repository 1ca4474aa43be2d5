namespace KeyVaulting.Shared;

/// <summary>
/// Helpers for the sentences of messages. Compiled from src/Shared into the packages that list it in their csproj
/// (KeyVaulting.Rotation, KeyVaulting.AzureKeyVault, the keyvaulting tool).
/// </summary>
internal static class Sentences
{
    /// <summary>The text with its first character in upper case, to start a sentence with a phrase such as "the secret 'x'".</summary>
    public static string Capitalize(string text)
        => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The text trimmed and ending with a full stop, to quote a service's or an exception's message inside ours.</summary>
    public static string EndWithPeriod(string text)
    {
        text = text.Trim();
        return text.EndsWith('.') ? text : text + ".";
    }

    /// <summary>The innermost exception of a chain: the cause a message names (a socket error rather than its wrappers).</summary>
    public static Exception Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
