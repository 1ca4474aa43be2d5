namespace KeyVaulting.Analyzers.Tests.Infrastructure;

/// <summary>
/// Obviously fake keys that the analyzers must recognize: mixed case, digits and enough different characters, unlike
/// <c>TestKeys</c>' repeated characters, which are deliberately not key-shaped. They are built at run time, so this
/// project's own code holds no key constant, and the repository scan stays clean.
/// </summary>
internal static class SampleKeys
{
    private static readonly string Body = string.Concat("FakeKey4", "AnalyzerTests", "0123456789", "NotRealAtAll");

    /// <summary>A fake project key, <c>sk-proj-…</c>, with an optional number at its end to tell keys apart.</summary>
    public static string Project(int number = 0) => string.Concat("sk-proj-", Body, number.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A fake service account key, <c>sk-svcacct-…</c>.</summary>
    public static string ServiceAccount() => string.Concat("sk-svcacct-", Body);

    /// <summary>A fake admin key, <c>sk-admin-…</c>.</summary>
    public static string Admin() => string.Concat("sk-admin-", Body);

    /// <summary>A fake older user key: <c>sk-</c> and 48 letters and digits with <c>T3BlbkFJ</c> inside.</summary>
    public static string User() => string.Concat("sk-", "FakeUserKey0123456789", "T3BlbkFJ", "TestOnly98765432100");
}
