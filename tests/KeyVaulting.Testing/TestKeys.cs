namespace KeyVaulting.Testing;

/// <summary>Obviously fake, generated test keys. Never paste a real-looking key into a test.</summary>
public static class TestKeys
{
    /// <summary>A fake project key made of one repeated character: <c>sk-proj-</c> + 48 × <paramref name="fill"/>.</summary>
    public static string Project(char fill = 'A') => "sk-proj-" + new string(fill, 48);

    /// <summary>A fake project key with a distinguishable tail, for tests that need many different keys.</summary>
    public static string Numbered(int number) => "sk-proj-" + new string('T', 40) + number.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
}
