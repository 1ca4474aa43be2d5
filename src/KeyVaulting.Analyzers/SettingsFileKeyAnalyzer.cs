using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.IO;
using KeyVaulting.Analyzers.Internal;
using KeyVaulting.KeyShapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace KeyVaulting.Analyzers;

/// <summary>
/// KV0003: an <c>appsettings*.json</c>, <c>launchSettings.json</c> or <c>secrets.json</c> file that the build passes
/// to the compiler as an <c>AdditionalFiles</c> item holds an OpenAI API key. The KeyVaulting package adds the first two
/// (and a <c>secrets.json</c> in the project folder) through its <c>buildTransitive</c> files. The whole text is
/// searched, comments included: a key in a comment is committed all the same.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SettingsFileKeyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.SettingsFileKey);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // A file listed twice (by the package and by the project) is reported once.
            var analyzed = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            start.RegisterAdditionalFileAction(file =>
            {
                if (IsSettingsFile(file.AdditionalFile.Path) && analyzed.TryAdd(Path.GetFullPath(file.AdditionalFile.Path), true))
                {
                    Analyze(file);
                }
            });
        });
    }

    /// <summary>Returns whether a file is one whose keys KV0003 reports, by its name.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns><see langword="true"/> for <c>appsettings*.json</c>, <c>launchSettings.json</c> and <c>secrets.json</c>.</returns>
    internal static bool IsSettingsFile(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            && (name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase)
                || name.Equals("launchSettings.json", StringComparison.OrdinalIgnoreCase)
                || name.Equals("secrets.json", StringComparison.OrdinalIgnoreCase));
    }

    private static void Analyze(AdditionalFileAnalysisContext context)
    {
        var text = context.AdditionalFile.GetText(context.CancellationToken);
        if (text is null)
        {
            return;
        }

        var content = text.ToString();
        if (!OpenAIKeyShapes.MayContainKey(content))
        {
            return;
        }

        var path = context.AdditionalFile.Path;
        foreach (var match in OpenAIKeyShapes.FindAll(content))
        {
            var span = new TextSpan(match.Index, match.Length);
            var location = Location.Create(path, span, text.Lines.GetLinePositionSpan(span));
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.SettingsFileKey,
                location,
                Path.GetFileName(path),
                OpenAIKeyShapes.Describe(match.Kind),
                match.Fingerprint));
        }
    }
}
