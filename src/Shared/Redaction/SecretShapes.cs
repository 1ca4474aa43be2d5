using System.Text.RegularExpressions;

namespace KeyVaulting.Shared;

/// <summary>
/// Masks what has the shape of a secret in text that a store sent back (an error message, a warning) before it goes
/// into a message or a log: OpenAI keys (<c>sk-…</c>), bearer tokens and JWTs. A store's own messages never hold them,
/// but a proxy, a debugging endpoint or a hostile server may repeat a request's credential or the secret it holds,
/// and the source cannot know every such value. Known values (a Vault token, an AWS session token) are masked by the
/// packages themselves.
/// </summary>
internal static partial class SecretShapes
{
    /// <summary>Returns <paramref name="text"/> with every OpenAI key, bearer token and JWT replaced by a placeholder.</summary>
    public static string Mask(string text)
    {
        text = OpenAIKey().Replace(text, "sk-…[redacted]");
        text = BearerToken().Replace(text, "Bearer [redacted]");
        return Jwt().Replace(text, "[redacted token]");
    }

    [GeneratedRegex(@"sk-[A-Za-z0-9_\-]{20,}", RegexOptions.CultureInvariant)]
    private static partial Regex OpenAIKey();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();
}
