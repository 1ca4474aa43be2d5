namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Finds a <c>.env</c> file at its path or, for a relative path, in the start directory and then in each of its
/// parents. A directory of that name (a Python virtual environment is often called <c>.env</c>) is not a file: it is
/// skipped and named in the reason.
/// </summary>
internal static class DotEnvFileLocator
{
    /// <summary>Finds the file.</summary>
    /// <param name="path">The configured path.</param>
    /// <param name="searchParentDirectories">Whether a relative path is also looked for in the parent directories.</param>
    /// <param name="startDirectory">The directory a relative path is resolved against: the current directory.</param>
    /// <returns>The file's full path, or why there is none.</returns>
    public static DotEnvFileLocation Find(string path, bool searchParentDirectories, string startDirectory)
    {
        if (Path.IsPathRooted(path) || !searchParentDirectories)
        {
            var full = Path.GetFullPath(path, startDirectory);
            if (File.Exists(full))
            {
                return DotEnvFileLocation.Found(full);
            }

            return DotEnvFileLocation.Missing(Directory.Exists(full)
                ? $"{full} is a directory, not a .env file"
                : $"the file {full} does not exist");
        }

        string? skippedDirectory = null;
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.GetFullPath(Path.Combine(directory.FullName, path));
            if (File.Exists(candidate))
            {
                return DotEnvFileLocation.Found(candidate);
            }

            if (skippedDirectory is null && Directory.Exists(candidate))
            {
                skippedDirectory = candidate;
            }
        }

        var reason = $"no file {path} in {startDirectory} or any parent directory";
        return DotEnvFileLocation.Missing(skippedDirectory is null
            ? reason
            : $"{reason} ({skippedDirectory} is a directory, not a .env file)");
    }
}
