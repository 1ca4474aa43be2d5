using System.Diagnostics;

namespace KeyVaulting.Tool.Tests.Infrastructure;

/// <summary>A temporary directory, optionally a git repository, with helpers to write files and commit.</summary>
internal sealed class TempRepository : IDisposable
{
    private TempRepository(string path) => Path = path;

    public string Path { get; }

    public static TempRepository Create(bool git = true)
    {
        var repository = new TempRepository(Directory.CreateTempSubdirectory("kvt-").FullName);
        if (git)
        {
            repository.Git("init", "-q", "-b", "main");
            repository.Git("config", "user.email", "doctor@example.invalid");
            repository.Git("config", "user.name", "Doctor Test");
            repository.Git("config", "commit.gpgsign", "false");
        }

        return repository;
    }

    public string Write(string relative, string content, UnixFileMode? mode = null)
    {
        var path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (mode is { } m)
        {
            File.SetUnixFileMode(path, m);
        }

        return path;
    }

    /// <summary>Commits everything (or the given paths) and returns the commit's id.</summary>
    public string Commit(string message, params string[] paths)
    {
        Git(["add", "-f", .. paths.Length == 0 ? ["-A"] : paths]);
        Git("commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue("git {0} finishes", arguments[0]);
        process.ExitCode.Should().Be(0, "git {0} succeeds: {1}", string.Join(' ', arguments), error);
        return output;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

/// <summary>The owner-only and world-readable modes the tests give files.</summary>
internal static class Modes
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode GroupReadable = OwnerOnly | UnixFileMode.GroupRead;
}
