using System.Security.Cryptography;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// A secret generated for one test (a key, a token, a secret access key…): a readable prefix plus a random core, so
/// that any leak of it, whole or in part, can be recognized and no two tests share one.
/// </summary>
public sealed class Sentinel
{
    /// <summary>The length of the shortest run of the random core that counts as a leak.</summary>
    public const int FragmentLength = 12;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Sentinel(string kind, string prefix, string core)
    {
        Kind = kind;
        Core = core;
        Value = prefix + core;
    }

    /// <summary>Gets what the secret is, for assertion messages (never the value).</summary>
    public string Kind { get; }

    /// <summary>Gets the secret.</summary>
    public string Value { get; }

    /// <summary>Gets the random part of the secret.</summary>
    public string Core { get; }

    /// <summary>An OpenAI project key: <c>sk-proj-</c> and 48 random letters and digits.</summary>
    public static Sentinel Key() => new("OpenAI key", "sk-proj-", Random(48));

    public static Sentinel Of(string kind, string prefix, int length = 32) => new(kind, prefix, Random(length));

    /// <summary>Gets the text an assertion looks for: the whole secret and every <see cref="FragmentLength"/>-character run of its core.</summary>
    public IEnumerable<string> Fragments()
    {
        yield return Value;
        for (var i = 0; i + FragmentLength <= Core.Length; i++)
        {
            yield return Core.Substring(i, FragmentLength);
        }
    }

    /// <summary>Returns whether <paramref name="text"/> contains the secret or a run of its core.</summary>
    public bool IsIn(string? text) => text is not null && Fragments().Any(f => text.Contains(f, StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => Kind;

    private static string Random(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(chars);
    }
}
