namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>Fake OpenAI keys generated at run time: the repository never holds anything key-shaped.</summary>
internal static class BenchmarkKeys
{
    /// <summary>The environment variable the benchmarks set in their own process (never read from the machine).</summary>
    public const string Variable = "OPENAI_API_KEY";

    /// <summary>Returns a project-key-shaped fake value made of one repeated character.</summary>
    /// <param name="fill">The character that fills the key's body.</param>
    /// <returns>A fake key, for example <c>sk-proj-AAAA…</c>.</returns>
    public static string Project(char fill) => "sk-proj-" + new string(fill, 48);
}
