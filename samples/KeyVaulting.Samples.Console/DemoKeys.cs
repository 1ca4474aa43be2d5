using System.Globalization;

namespace KeyVaulting.Samples.Console;

/// <summary>Obviously fake keys, generated at run time, for the offline demo. None of them works at OpenAI.</summary>
internal static class DemoKeys
{
    public static string Create(int number)
        => "sk-proj-" + "OFFLINE-DEMO-NOT-A-REAL-KEY-" + new string('x', 16) + number.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The offline demo's admin key (an admin key starts with <c>sk-admin-</c>): the Admin API stand-in accepts it only.</summary>
    public static string CreateAdmin()
        => "sk-admin-" + "OFFLINE-DEMO-NOT-A-REAL-KEY-" + new string('x', 16) + "0000";
}
