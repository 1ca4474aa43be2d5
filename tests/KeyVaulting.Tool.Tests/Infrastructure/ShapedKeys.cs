using System.Security.Cryptography;

namespace KeyVaulting.Tool.Tests.Infrastructure;

/// <summary>
/// Fake keys generated at run time that the key-shape rules recognize (mixed case, digits, many different
/// characters), unlike <c>TestKeys</c>' repeated characters. Never pasted: this source holds no key.
/// </summary>
internal static class ShapedKeys
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Project() => "sk-proj-" + Body();

    public static string ServiceAccount() => "sk-svcacct-" + Body();

    public static string Admin() => "sk-admin-" + Body();

    public static string Fingerprint(string key) => key[..key.LastIndexOf('-')] + "-…" + key[^4..];

    private static string Body() => "Fk3" + RandomNumberGenerator.GetString(Alphabet, 53);
}
