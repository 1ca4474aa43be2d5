using KeyVaulting.Sources.DotEnv;

namespace KeyVaulting.Tests.Sources.DotEnv;

public class DotEnvFileLocatorTests
{
    // A unique name, so that no file of that name above the temp directory can interfere.
    private readonly string _name = $"kv-{Guid.NewGuid():N}.env";

    [Fact]
    public void Find_RootedExistingFile_ReturnsIt()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile(_name, "KEY=v");

        var location = DotEnvFileLocator.Find(path, searchParentDirectories: true, startDirectory: "/");

        location.FullPath.Should().Be(path);
        location.MissingReason.Should().BeNull();
    }

    [Fact]
    public void Find_RootedMissingFile_ReasonNamesThePath()
    {
        using var temp = new TempDirectory();
        var path = temp.PathOf(_name);

        var location = DotEnvFileLocator.Find(path, searchParentDirectories: true, startDirectory: temp.FullPath);

        location.FullPath.Should().BeNull();
        location.MissingReason.Should().Be($"the file {path} does not exist");
    }

    [Fact]
    public void Find_RootedDirectory_ReasonSaysItIsADirectory()
    {
        using var temp = new TempDirectory();
        var path = temp.PathOf(_name);
        Directory.CreateDirectory(path);

        var location = DotEnvFileLocator.Find(path, searchParentDirectories: false, startDirectory: temp.FullPath);

        location.FullPath.Should().BeNull();
        location.MissingReason.Should().Be($"{path} is a directory, not a .env file");
    }

    [Fact]
    public void Find_RelativeFileInStartDirectory_ReturnsItsFullPath()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile(_name, "KEY=v");

        DotEnvFileLocator.Find(_name, searchParentDirectories: true, temp.FullPath).FullPath.Should().Be(path);
        DotEnvFileLocator.Find(_name, searchParentDirectories: false, temp.FullPath).FullPath.Should().Be(path);
    }

    [Fact]
    public void Find_RelativeFileInAParent_WalksUpToIt()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile(_name, "KEY=v");
        var start = Directory.CreateDirectory(temp.PathOf("src", "App", "bin")).FullName;

        var location = DotEnvFileLocator.Find(_name, searchParentDirectories: true, start);

        location.FullPath.Should().Be(path);
    }

    [Fact]
    public void Find_FilesAtSeveralLevels_NearestWins()
    {
        using var temp = new TempDirectory();
        temp.WriteFile(_name, "KEY=outer");
        var inner = temp.WriteFile(Path.Combine("src", _name), "KEY=inner");
        var start = Directory.CreateDirectory(temp.PathOf("src", "App")).FullName;

        DotEnvFileLocator.Find(_name, searchParentDirectories: true, start).FullPath.Should().Be(inner);
    }

    [Fact]
    public void Find_SearchDisabled_DoesNotWalkUp()
    {
        using var temp = new TempDirectory();
        temp.WriteFile(_name, "KEY=v");
        var start = Directory.CreateDirectory(temp.PathOf("src")).FullName;

        var location = DotEnvFileLocator.Find(_name, searchParentDirectories: false, start);

        location.FullPath.Should().BeNull();
        location.MissingReason.Should().Be($"the file {Path.Combine(start, _name)} does not exist");
    }

    [Fact]
    public void Find_DirectoryOfThatName_IsSkippedAndTheParentsFileFound()
    {
        // A Python virtual environment is often a directory called .env.
        using var temp = new TempDirectory();
        var path = temp.WriteFile(_name, "KEY=v");
        var start = Directory.CreateDirectory(temp.PathOf("project")).FullName;
        Directory.CreateDirectory(Path.Combine(start, _name));

        DotEnvFileLocator.Find(_name, searchParentDirectories: true, start).FullPath.Should().Be(path);
    }

    [Fact]
    public void Find_NothingAnywhere_ReasonNamesTheStartAndAnySkippedDirectory()
    {
        using var temp = new TempDirectory();
        var skipped = Directory.CreateDirectory(temp.PathOf(_name)).FullName;

        var location = DotEnvFileLocator.Find(_name, searchParentDirectories: true, temp.FullPath);

        location.FullPath.Should().BeNull();
        location.MissingReason.Should().Be($"no file {_name} in {temp.FullPath} or any parent directory ({skipped} is a directory, not a .env file)");
    }

    [Fact]
    public void Find_RelativePathWithFolders_ResolvedAgainstEachLevel()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile(Path.Combine("config", _name), "KEY=v");
        var start = Directory.CreateDirectory(temp.PathOf("src")).FullName;

        DotEnvFileLocator.Find(Path.Combine("config", _name), searchParentDirectories: true, start).FullPath.Should().Be(path);
        DotEnvFileLocator.Find(Path.Combine("..", "config", _name), searchParentDirectories: false, start).FullPath.Should().Be(path);
    }
}
