using System.Diagnostics;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Repository;

/// <summary>
/// A clone of the repository in an empty folder must pass its tests: every file a test, benchmark or sample reads is
/// inside the repository (<c>tests/fixtures</c>) and tracked, so a user's clone has it. .ci/run also runs the
/// fixture-reading tests in a real <c>git clone --local</c>.
/// </summary>
public sealed class FixtureTests
{
    [Fact]
    public void Root_IsTheFixturesFolderInsideTheRepository()
    {
        var root = Path.GetFullPath(Fixtures.Root);

        root.Should().StartWith(Path.GetFullPath(Fixtures.RepositoryRoot) + Path.DirectorySeparatorChar);
        File.Exists(Path.Combine(root, "SOURCES.md")).Should().BeTrue("the provenance of every fixture is written beside it");
        Directory.Exists(Path.Combine(root, "LICENSES")).Should().BeTrue("the upstream licences travel with the files");
    }

    [Fact]
    public void EveryFixtureFile_IsTrackedByGit()
    {
        var onDisk = Directory.EnumerateFiles(Fixtures.Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Fixtures.RepositoryRoot, path).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);

        var tracked = Git("ls-files", "--", "tests/fixtures").ToHashSet(StringComparer.Ordinal);

        onDisk.Should().NotBeEmpty();
        onDisk.Except(tracked).Should().BeEmpty("a fixture that is not committed (for example a .env file caught by .gitignore) is missing from every clone");
    }

    [Fact]
    public void TrackedFiles_ReferToNothingBesideTheRepository()
    {
        // The pattern is split so that this file does not match it.
        var sibling = string.Concat("..", "/shared");

        var mentions = Git("grep", "-l", "-F", sibling, "--", ".").ToList();

        mentions.Should().BeEmpty("a clone has nothing beside it; copy what a test needs into tests/fixtures");
    }

    private static IEnumerable<string> Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Fixtures.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEndAsync();
        git.WaitForExit(TimeSpan.FromMinutes(1)).Should().BeTrue("git answers within a minute");
        // git grep exits 1 when nothing matches.
        git.ExitCode.Should().BeOneOf([0, 1], error.Result);
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
