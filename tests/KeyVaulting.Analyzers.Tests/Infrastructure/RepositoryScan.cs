using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace KeyVaulting.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs KV0001 and KV0003 over a source tree the way a build would: one compilation per project folder
/// (<c>src/KeyVaulting</c>, <c>tests/KeyVaulting.Tests</c>, …) with every <c>.cs</c> file in it, and its settings files
/// as additional files. <c>bin</c> and <c>obj</c> are skipped.
/// </summary>
internal sealed class RepositoryScan
{
    private RepositoryScan(int sourceFiles, int settingsFiles, ImmutableArray<Diagnostic> diagnostics)
    {
        SourceFiles = sourceFiles;
        SettingsFiles = settingsFiles;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets how many C# files were analyzed.</summary>
    public int SourceFiles { get; }

    /// <summary>Gets how many settings files were analyzed.</summary>
    public int SettingsFiles { get; }

    /// <summary>Gets what the analyzers reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>Scans the folders <paramref name="folders"/> of <paramref name="root"/>.</summary>
    public static async Task<RepositoryScan> RunAsync(string root, params string[] folders)
    {
        var files = folders
            .Select(f => Path.Combine(root, f))
            .Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Where(p => !IsBuildOutput(Path.GetRelativePath(root, p)))
            .ToList();

        var sources = 0;
        var settings = 0;
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var project in files.GroupBy(p => ProjectFolder(Path.GetRelativePath(root, p))).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var csharp = project.Where(p => p.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
                .Select(p => (p, File.ReadAllText(p))).ToList();
            var settingsFiles = project.Where(SettingsFileKeyAnalyzer.IsSettingsFile)
                .Select(p => (p, File.ReadAllText(p))).ToList();
            sources += csharp.Count;
            settings += settingsFiles.Count;
            if (csharp.Count + settingsFiles.Count == 0)
            {
                continue;
            }

            diagnostics.AddRange(await AnalyzerRunner.RunAsync(csharp, settingsFiles, new HardCodedKeyAnalyzer(), new SettingsFileKeyAnalyzer()));
        }

        return new RepositoryScan(sources, settings, diagnostics.ToImmutable());
    }

    /// <summary>Describes a diagnostic for a failure message: file, line and message (which shows a fingerprint only).</summary>
    public static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        return $"{span.Path}({span.StartLinePosition.Line + 1}): {diagnostic.Id} {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static string ProjectFolder(string relativePath)
    {
        var parts = relativePath.Split(Path.DirectorySeparatorChar);
        return parts.Length > 2 ? parts[0] + "/" + parts[1] : parts[0];
    }

    private static bool IsBuildOutput(string relativePath)
        => relativePath.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");
}
