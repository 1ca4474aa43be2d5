using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace KeyVaulting.Analyzers.Tests.Infrastructure;

/// <summary>Runs Microsoft.CodeAnalysis.Testing's analyzer and code fix tests offline and with a bounded time.</summary>
internal static class Verify
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>No reference package: the references come from <see cref="TestReferences"/>, so NuGet is never asked.</summary>
    private static readonly ReferenceAssemblies NoPackages = new("net10.0");

    /// <summary>Creates an analyzer test of <paramref name="source"/> (with <c>{|KV0001:…|}</c> markup).</summary>
    public static CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> Analyzer<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source, ReferenceAssemblies = NoPackages };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.ExpectedDiagnostics.AddRange(expected);
        return test;
    }

    /// <summary>Creates a code fix test: <paramref name="source"/> becomes <paramref name="fixedSource"/>.</summary>
    public static CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> CodeFix<TAnalyzer, TCodeFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = NoPackages,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.FixedState.AdditionalReferences.AddRange(TestReferences.All);
        return test;
    }

    /// <summary>Runs a test, failing it when it takes longer than two minutes.</summary>
    public static async Task RunBoundedAsync<TVerifier>(this AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await test.RunAsync(timeout.Token);
    }
}
