namespace KeyVaulting.Testing;

/// <summary>Locates the repository and its conformance data (<c>tests/fixtures</c>, see its <c>SOURCES.md</c>).</summary>
public static class Fixtures
{
    private static readonly Lazy<string> Repository = new(FindRepository);

    /// <summary>Gets the repository root: the folder holding KeyVaulting.sln.</summary>
    public static string RepositoryRoot => Repository.Value;

    /// <summary>Gets the folder that holds the conformance data: <c>tests/fixtures</c> inside the repository.</summary>
    public static string Root => Path.Combine(RepositoryRoot, "tests", "fixtures");

    /// <summary>Gets the full path of a file or folder under <c>tests/fixtures</c>.</summary>
    /// <param name="parts">The path segments below <c>tests/fixtures</c>.</param>
    public static string PathOf(params string[] parts)
    {
        var root = Root;
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The conformance fixtures are expected at {root}, inside the repository.");
        }

        return Path.Combine([root, .. parts]);
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KeyVaulting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("KeyVaulting.sln was not found above " + AppContext.BaseDirectory);
    }
}
