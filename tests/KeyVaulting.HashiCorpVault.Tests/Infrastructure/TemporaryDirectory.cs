namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>A directory for one test's files (token files, secret_id files, JWTs, CA certificates), deleted afterwards.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("keyvaulting-vault-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes a file readable by its owner only, as credentials should be, and returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans its temp directory.
        }
    }
}
