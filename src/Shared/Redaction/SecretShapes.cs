using System.Text.RegularExpressions;

namespace KeyVaulting.Shared;

/// <summary>
/// Masks what has the shape of a secret in text that a store sent back (an error message, a warning) before it goes
/// into a message or a log: OpenAI keys (<c>sk-…</c>), bearer tokens and JWTs. A store's own messages never hold them,
/// but a proxy, a debugging endpoint or a hostile server may repeat a request's credential or the secret it holds,
/// and the source cannot know every such value. Known values (a Vault token, an AWS session token) are masked by the
/// packages themselves.
/// </summary>
/// <remarks>
/// Names (a variable, a path, a provider or a source name) have their own check, <see cref="IsSecretShapedName"/>,
/// and their own masking, <see cref="MaskName"/>: a key pasted where a name is expected starts the name or follows a
/// separator, so a word that merely ends in <c>sk</c> (<c>disk-encryption-…</c>, <c>task-definitions-…</c>) is
/// left alone and the name still says which source it is.
/// </remarks>
internal static partial class SecretShapes
{
    /// <summary>The placeholder that replaces an OpenAI key.</summary>
    public const string MaskedKey = "sk-…[redacted]";

    /// <summary>Returns <paramref name="text"/> with every OpenAI key, bearer token and JWT replaced by a placeholder.</summary>
    public static string Mask(string text)
    {
        text = OpenAIKey().Replace(text, MaskedKey);
        text = BearerToken().Replace(text, "Bearer [redacted]");
        return Jwt().Replace(text, "[redacted token]");
    }

    /// <summary>
    /// Returns whether a name holds something shaped like a secret: an OpenAI key (<c>sk-</c> and 20 or more letters,
    /// digits, <c>-</c> or <c>_</c>) or a JWT, at the start of the name or after a character that is not a letter or a
    /// digit, or a bearer token (<c>Bearer</c> and 16 or more token characters). Such a name is a key given where a
    /// name was expected.
    /// </summary>
    public static bool IsSecretShapedName(string? name)
        => name is not null && (KeyInName().IsMatch(name) || BearerInName().IsMatch(name) || JwtInName().IsMatch(name));

    /// <summary>
    /// <see cref="MaskName"/> for an exception's message, which may be <see langword="null"/> (the base constructor then
    /// uses its default message).
    /// </summary>
    public static string MaskMessage(string message) => message is null ? null! : MaskName(message);

    /// <summary>
    /// Returns <paramref name="name"/>, or text made of names, with every part <see cref="IsSecretShapedName"/> finds
    /// replaced by a placeholder; the rest is kept, so the name still says which source it is.
    /// </summary>
    public static string MaskName(string name)
    {
        if (!IsSecretShapedName(name))
        {
            return name;
        }

        name = KeyInName().Replace(name, MaskedKey);
        name = BearerInName().Replace(name, "Bearer [redacted]");
        return JwtInName().Replace(name, "[redacted token]");
    }

    [GeneratedRegex(@"sk-[A-Za-z0-9_\-]{20,}", RegexOptions.CultureInvariant)]
    private static partial Regex OpenAIKey();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{20,}", RegexOptions.CultureInvariant)]
    private static partial Regex KeyInName();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9\-._~+/]{16,}=*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BearerInName();

    [GeneratedRegex(@"(?<![A-Za-z0-9])eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex JwtInName();
}
