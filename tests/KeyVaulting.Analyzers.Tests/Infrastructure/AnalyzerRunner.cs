using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace KeyVaulting.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs analyzers the way the compiler does, over sources and additional files, and returns what they report: for
/// tests that read a diagnostic's message, and for the scan of this repository.
/// </summary>
internal static class AnalyzerRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The global usings of an SDK project with ImplicitUsings, so that the analyzed code binds as it builds.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Returns the diagnostics of <paramref name="analyzers"/> over the sources and additional files.</summary>
    public static async Task<ImmutableArray<Diagnostic>> RunAsync(
        IEnumerable<(string Path, string Text)> sources,
        IEnumerable<(string Path, string Text)> additionalFiles,
        params DiagnosticAnalyzer[] analyzers)
        => (await AnalyzeAsync(sources, additionalFiles, OutputKind.DynamicallyLinkedLibrary, implicitUsings: true, analyzers)).Diagnostics;

    /// <summary>Compiles the sources and runs the analyzers: the compiler's errors and the analyzers' diagnostics.</summary>
    public static async Task<(ImmutableArray<Diagnostic> Errors, ImmutableArray<Diagnostic> Diagnostics)> AnalyzeAsync(
        IEnumerable<(string Path, string Text)> sources,
        IEnumerable<(string Path, string Text)> additionalFiles,
        OutputKind outputKind,
        bool implicitUsings,
        params DiagnosticAnalyzer[] analyzers)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview, preprocessorSymbols: ["NET", "NET10_0", "NET8_0_OR_GREATER", "NET10_0_OR_GREATER"]);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(SourceText.From(s.Text), parseOptions, s.Path)).ToList();
        if (implicitUsings)
        {
            trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions, "ImplicitUsings.g.cs"));
        }

        var compilation = CSharpCompilation.Create(
            "Analyzed",
            trees,
            TestReferences.All,
            new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable));
        var options = new AnalyzerOptions(additionalFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToImmutableArray());

        using var timeout = new CancellationTokenSource(Timeout);
        var diagnostics = await compilation
            .WithAnalyzers(analyzers.ToImmutableArray(), options)
            .GetAnalyzerDiagnosticsAsync(timeout.Token);
        var errors = compilation.GetDiagnostics(timeout.Token).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (errors, diagnostics);
    }

    /// <summary>Returns the diagnostics of one C# source.</summary>
    public static Task<ImmutableArray<Diagnostic>> RunAsync(string source, params DiagnosticAnalyzer[] analyzers)
        => RunAsync([("Test0.cs", source)], [], analyzers);

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
