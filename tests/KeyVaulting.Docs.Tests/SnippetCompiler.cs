using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KeyVaulting.Docs.Tests;

/// <summary>
/// Compiles a snippet the way it would compile as a web app's <c>Program.cs</c> (<c>dotnet new web</c>): top-level
/// statements, the Web SDK's implicit usings, nullable on, every KeyVaulting package referenced. The only names a
/// snippet may use without declaring them are the ones such a Program.cs has: <c>args</c>, and — provided by
/// <see cref="Context"/> — <c>builder</c> (from <c>var builder = WebApplication.CreateBuilder(args);</c>) and
/// <c>services</c> (<c>builder.Services</c>). Everything else, <c>using</c> lines included, is written in the snippet.
/// </summary>
public static class SnippetCompiler
{
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json",
        "System.Threading", "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    /// <summary>What a web app's Program.cs has before the snippet's lines.</summary>
    private const string Context = """
        global using static KeyVaulting.Docs.Snippets.ProgramContext;

        namespace KeyVaulting.Docs.Snippets;

        public static class ProgramContext
        {
            public static Microsoft.AspNetCore.Builder.WebApplicationBuilder builder { get; } = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();

            public static Microsoft.Extensions.DependencyInjection.IServiceCollection services => builder.Services;
        }
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>
    /// What the .NET SDK turns off in every project (<c>NoWarn</c> 1701;1702): the notes that a package compiled against
    /// an older version of an assembly (Semantic Kernel's connector, Azure.AI.OpenAI against OpenAI 2.x) is unified with
    /// the newer one the app references.
    /// </summary>
    private static readonly Dictionary<string, ReportDiagnostic> SdkNoWarn = new()
    {
        ["CS1701"] = ReportDiagnostic.Suppress,
        ["CS1702"] = ReportDiagnostic.Suppress,
    };

    /// <summary>Compiles the snippet and returns its errors and warnings, each with the document's line number.</summary>
    public static IReadOnlyList<string> Compile(Snippet snippet)
    {
        var code = SyntaxFactory.ParseSyntaxTree(snippet.Code, ParseOptions, path: snippet.Document);
        var implicitUsings = SyntaxFactory.ParseSyntaxTree(string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")), ParseOptions);
        var context = SyntaxFactory.ParseSyntaxTree(Context, ParseOptions);
        var hasStatements = code.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();

        var compilation = CSharpCompilation.Create(
            "Snippet",
            [code, implicitUsings, context],
            References.Value,
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(SdkNoWarn));

        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.Location.SourceTree == code
                ? $"{snippet.Document}:{snippet.Line + d.Location.GetLineSpan().StartLinePosition.Line}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"
                : $"{snippet}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")];
    }
}
