namespace KeyVaulting.Testing;

/// <summary>Locates the repository and the shared conformance data (<c>../shared/fixtures</c> beside it).</summary>
public static class Fixtures
{
    private static readonly Lazy<string> Repository = new(FindRepository);

    /// <summary>Gets the repository root: the folder holding KeyVaulting.sln.</summary>
    public static string RepositoryRoot => Repository.Value;

    /// <summary>Gets the full path of a file or folder under <c>shared/fixtures</c>.</summary>
    /// <param name="parts">The path segments below <c>shared/fixtures</c>.</param>
    public static string PathOf(params string[] parts)
    {
        var root = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The shared fixtures are expected at {root}, beside the repository.");
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
