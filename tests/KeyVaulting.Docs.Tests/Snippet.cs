namespace KeyVaulting.Docs.Tests;

/// <summary>One fenced <c>csharp</c> block of a Markdown document.</summary>
/// <param name="Document">The document's path relative to the repository root.</param>
/// <param name="Line">The line of the block's first code line (1-based).</param>
/// <param name="Code">The block's text.</param>
/// <param name="Exemption">The reason given in a <c>&lt;!-- snippet: not compiled (reason) --&gt;</c> comment right before the block, or <see langword="null"/>.</param>
public sealed record Snippet(string Document, int Line, string Code, string? Exemption)
{
    private const string ExemptionMarker = "<!-- snippet: not compiled";

    /// <summary>Reads every <c>csharp</c>, <c>cs</c> or <c>c#</c> fenced block of a Markdown file.</summary>
    public static IReadOnlyList<Snippet> Read(string repositoryRoot, string document)
    {
        var lines = File.ReadAllLines(Path.Combine(repositoryRoot, document));
        var snippets = new List<Snippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].TrimStart();
            if (!fence.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = fence[3..].Trim().ToLowerInvariant();
            var end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            if (end < 0)
            {
                throw new InvalidDataException($"{document}:{i + 1}: a fenced block is never closed.");
            }

            if (language is "csharp" or "cs" or "c#")
            {
                var previous = Array.FindLastIndex(lines, i - 1 < 0 ? 0 : i - 1, l => l.Trim().Length > 0);
                var exemption = previous >= 0 && lines[previous].TrimStart().StartsWith(ExemptionMarker, StringComparison.Ordinal)
                    ? lines[previous].Trim()[ExemptionMarker.Length..].Trim(' ', '-', '>', '(', ')', ':')
                    : null;
                snippets.Add(new Snippet(document, i + 2, string.Join('\n', lines[(i + 1)..end]), exemption));
            }

            i = end;
        }

        return snippets;
    }

    public override string ToString() => $"{Document}:{Line}";
}
