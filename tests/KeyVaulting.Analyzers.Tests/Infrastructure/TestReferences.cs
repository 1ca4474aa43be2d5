using Microsoft.CodeAnalysis;

namespace KeyVaulting.Analyzers.Tests.Infrastructure;

/// <summary>
/// The assemblies the analyzed code compiles against: those this test process runs with (the .NET runtime, OpenAI,
/// System.ClientModel, KeyVaulting, Microsoft.Extensions.*). Nothing is downloaded.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(Load);

    /// <summary>Gets the references, created once.</summary>
    public static IReadOnlyList<MetadataReference> All => References.Value;

    private static IReadOnlyList<MetadataReference> Load()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return paths
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }
}
