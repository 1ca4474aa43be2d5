using System.Globalization;

namespace KeyVaulting.Samples.Console;

/// <summary>Obviously fake keys, generated at run time, for the offline demo. None of them works at OpenAI.</summary>
internal static class DemoKeys
{
    public static string Create(int number)
        => "sk-proj-" + "OFFLINE-DEMO-NOT-A-REAL-KEY-" + new string('x', 16) + number.ToString("D4", CultureInfo.InvariantCulture);
}
