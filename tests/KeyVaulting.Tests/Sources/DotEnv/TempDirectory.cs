namespace KeyVaulting.Tests.Sources.DotEnv;

/// <summary>A fresh directory under the system temp folder, deleted (with everything in it) on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        FullPath = Path.Combine(Path.GetTempPath(), "keyvaulting-dotenv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    public string PathOf(params string[] parts) => Path.Combine([FullPath, .. parts]);

    /// <summary>Writes <paramref name="content"/> as UTF-8 without a byte order mark, mode 600 on Unix.</summary>
    public string WriteFile(string name, string content)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    public string WriteBytes(string name, byte[] content)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, content);
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
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a FIFO or a file still open elsewhere must not fail the test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
