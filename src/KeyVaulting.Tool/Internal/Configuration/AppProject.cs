using System.Xml.Linq;

namespace KeyVaulting.Tool.Internal.Configuration;

/// <summary>
/// The application the tool looks at: its directory (the content root a host gets from <c>dotnet run</c>), its project
/// file, and the <c>UserSecretsId</c> that file declares.
/// </summary>
internal sealed class AppProject
{
    private AppProject(string directory, string? projectFile, string? userSecretsId)
    {
        Directory = directory;
        ProjectFile = projectFile;
        UserSecretsId = userSecretsId;
    }

    /// <summary>Gets the project's directory, a full path.</summary>
    public string Directory { get; }

    /// <summary>Gets the project file (<c>*.csproj</c>), or <see langword="null"/> when the directory has none.</summary>
    public string? ProjectFile { get; }

    /// <summary>Gets the user secrets id the project file declares, or <see langword="null"/>.</summary>
    public string? UserSecretsId { get; }

    /// <summary>Opens the project in <paramref name="directory"/> (or a project file's directory).</summary>
    /// <param name="directory">A directory or a project file; <see langword="null"/> for the current directory.</param>
    /// <returns>The project.</returns>
    /// <exception cref="ToolUsageException">The path does not exist, or the directory has several project files.</exception>
    public static AppProject Open(string? directory)
    {
        var path = Path.GetFullPath(directory ?? System.IO.Directory.GetCurrentDirectory());
        string? projectFile = null;
        if (File.Exists(path) && path.EndsWith("proj", StringComparison.OrdinalIgnoreCase))
        {
            projectFile = path;
            path = Path.GetDirectoryName(path)!;
        }
        else if (!System.IO.Directory.Exists(path))
        {
            throw new ToolUsageException($"--project: the directory {path} does not exist. Give the directory of the application's project.");
        }
        else
        {
            var candidates = System.IO.Directory.GetFiles(path, "*.csproj");
            if (candidates.Length > 1)
            {
                throw new ToolUsageException(
                    $"--project: {path} has {candidates.Length} project files ({string.Join(", ", candidates.Select(Path.GetFileName))}). Give the one to use: --project {Path.GetFileName(candidates[0])}.");
            }

            projectFile = candidates.FirstOrDefault();
        }

        return new AppProject(path, projectFile, projectFile is null ? null : ReadUserSecretsId(projectFile));
    }

    private static string? ReadUserSecretsId(string projectFile)
    {
        try
        {
            var document = XDocument.Load(projectFile);
            var id = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "UserSecretsId")?.Value.Trim();
            return string.IsNullOrEmpty(id) ? null : id;
        }
        catch (Exception ex) when (ex is System.Xml.XmlException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
