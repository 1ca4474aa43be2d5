namespace KeyVaulting.Sources.DotEnv;

/// <summary>Finds a <c>.env</c> file at its path or, for a relative path, in the parents of the current directory.</summary>
internal static class DotEnvFileLocator
{
    public static string? Find(string path, bool searchParentDirectories)
    {
        if (Path.IsPathRooted(path) || !searchParentDirectories)
        {
            var full = Path.GetFullPath(path);
            return File.Exists(full) ? full : null;
        }

        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, path);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static string DescribeMissing(string path, bool searchParentDirectories)
        => Path.IsPathRooted(path) || !searchParentDirectories
            ? $"the file {Path.GetFullPath(path)} does not exist"
            : $"no file {path} in {Directory.GetCurrentDirectory()} or any parent directory";
}
