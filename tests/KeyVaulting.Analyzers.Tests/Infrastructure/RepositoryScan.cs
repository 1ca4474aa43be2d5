using System.Collections.Immutable;
using KeyVaulting.KeyShapes;
using Microsoft.CodeAnalysis;

namespace KeyVaulting.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs KV0001 and KV0003 over a source tree the way a build would: one compilation per project folder
/// (<c>src/KeyVaulting</c>, <c>tests/KeyVaulting.Tests</c>, …) with every <c>.cs</c> file in it, and its settings files
/// as additional files. Other JSON files (fixtures, configuration) are searched for keys with the same key-shape rules.
/// <c>bin</c> and <c>obj</c> are skipped.
/// </summary>
internal sealed class RepositoryScan
{
    private RepositoryScan(int sourceFiles, int settingsFiles, int otherJsonFiles, ImmutableArray<Diagnostic> diagnostics, IReadOnlyList<string> keysInOtherJson)
    {
        SourceFiles = sourceFiles;
        SettingsFiles = settingsFiles;
        OtherJsonFiles = otherJsonFiles;
        Diagnostics = diagnostics;
        KeysInOtherJson = keysInOtherJson;
    }

    /// <summary>Gets how many JSON files that are no settings files were searched.</summary>
    public int OtherJsonFiles { get; }

    /// <summary>Gets the keys found in those, as <c>path: kind fingerprint</c>.</summary>
    public IReadOnlyList<string> KeysInOtherJson { get; }

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

        var otherJson = files
            .Where(p => p.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !SettingsFileKeyAnalyzer.IsSettingsFile(p))
            .ToList();
        var keysInOtherJson = otherJson
            .SelectMany(p => OpenAIKeyShapes.FindAll(File.ReadAllText(p)).Select(m => Path.GetRelativePath(root, p) + ": " + m))
            .ToList();

        return new RepositoryScan(sources, settings, otherJson.Count, diagnostics.ToImmutable(), keysInOtherJson);
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
