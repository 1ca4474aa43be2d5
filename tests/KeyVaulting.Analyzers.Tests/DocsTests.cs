using System.Text.RegularExpressions;
using KeyVaulting.Analyzers.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.CodeAnalysis;

namespace KeyVaulting.Analyzers.Tests;

/// <summary>docs/analyzers.md: its C# compiles as written, and reports exactly what its comments say.</summary>
public partial class DocsTests
{
    [Fact]
    public async Task AnalyzersPage_CSharpSnippets_CompileAndReportTheIdsTheirCommentsName()
    {
        var page = await File.ReadAllTextAsync(Path.Combine(Fixtures.RepositoryRoot, "docs", "analyzers.md"));
        var snippets = Snippet().Matches(page).Select(m => m.Groups["code"].Value).ToList();

        snippets.Should().HaveCountGreaterThanOrEqualTo(3);
        foreach (var snippet in snippets)
        {
            var (errors, diagnostics) = await AnalyzerRunner.AnalyzeAsync(
                [("Snippet.cs", snippet)],
                [],
                OutputKind.ConsoleApplication,
                implicitUsings: false,
                new HardCodedKeyAnalyzer(),
                new ConstantKeyArgumentAnalyzer());

            errors.Select(e => e.ToString()).Should().BeEmpty("the snippet compiles as written:\n{0}", snippet);
            var named = Regex.Matches(snippet, @"// (KV\d{4})").Select(m => m.Groups[1].Value);
            diagnostics.Select(d => d.Id).Should().BeEquivalentTo(named, "the snippet's comments name what it reports:\n{0}", snippet);
        }
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Snippet();
}
