namespace KeyVaulting.Sources.DotEnv;

/// <summary>Where <see cref="DotEnvFileLocator"/> found the file, or why it found none.</summary>
internal readonly struct DotEnvFileLocation
{
    private DotEnvFileLocation(string? fullPath, string? missingReason)
    {
        FullPath = fullPath;
        MissingReason = missingReason;
    }

    /// <summary>Gets the file's full path; null when there is no file.</summary>
    public string? FullPath { get; }

    /// <summary>Gets why there is no file; null when there is one.</summary>
    public string? MissingReason { get; }

    public static DotEnvFileLocation Found(string fullPath) => new(fullPath, null);

    public static DotEnvFileLocation Missing(string reason) => new(null, reason);
}
