using System.Text.Json;
using KeyVaulting.Tool.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests;

/// <summary><c>keyvaulting doctor</c> against temporary git repositories: where a key is and where it must not be.</summary>
public sealed class DoctorHygieneTests
{
    private const string DotEnvChain = """{ "KeyVaulting": { "Chain": "DotEnv", "Sources": { "DotEnv": { "Type": "DotEnvFile", "Path": ".env" } } } }""";

    [Fact]
    public async Task Doctor_CleanRepository_ExitsZeroAndShowsTheServedKeysFingerprint()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.Project();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Write(".gitignore", ".env\n");
        repo.Write("Program.cs", "Console.WriteLine(\"hello\");\n");
        repo.Commit("initial");
        repo.Write(".env", $"# local key\nOPENAI_API_KEY={key}\n", Modes.OwnerOnly);

        var human = await ToolProcess.RunAsync(repo.Path, null, null, "doctor");
        var json = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json");

        human.ExitCode.Should().Be(0, human.ToString());
        human.Output.Should().Contain(ShapedKeys.Fingerprint(key)).And.Contain("No problem found").And.Contain("← served");
        human.ShouldNotContainSecrets(key);
        json.ExitCode.Should().Be(0, json.ToString());
        json.ShouldNotContainSecrets(key);
        var report = json.Json();
        report.GetProperty("servedKey").GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
        report.GetProperty("servedKey").GetProperty("kind").GetString().Should().Be("project");
        var source = report.GetProperty("sources")[0];
        source.GetProperty("status").GetString().Should().Be("found");
        source.GetProperty("served").GetBoolean().Should().BeTrue();
        source.GetProperty("configuredIn").GetString().Should().Be("appsettings.json");
        var dotEnv = report.GetProperty("hygiene").GetProperty("dotEnvFiles")[0];
        dotEnv.GetProperty("path").GetString().Should().Be(".env");
        dotEnv.GetProperty("ignored").GetBoolean().Should().BeTrue();
        dotEnv.GetProperty("tracked").GetBoolean().Should().BeFalse();
        dotEnv.GetProperty("ownerOnly").GetBoolean().Should().BeTrue();
        report.GetProperty("hygiene").GetProperty("historyScanned").GetBoolean().Should().BeTrue();
        Codes(report, "error").Should().BeEmpty();
        report.GetProperty("exitCode").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task Doctor_CommittedDotEnv_ReportsTrackedFileAndKeyInHistoryAndExitsOne()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.Project();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Write(".env", $"OPENAI_API_KEY={key}\n", Modes.OwnerOnly);
        var commit = repo.Commit("oops: the key");

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key);
        var report = run.Json();
        Codes(report, "error").Should().Contain(["dotenv-tracked", "dotenv-in-history", "key-in-history"]);
        var dotEnv = report.GetProperty("hygiene").GetProperty("dotEnvFiles")[0];
        dotEnv.GetProperty("tracked").GetBoolean().Should().BeTrue();
        dotEnv.GetProperty("inHistorySince").GetString().Should().Be(commit[..12]);
        var history = report.GetProperty("hygiene").GetProperty("history")[0];
        history.GetProperty("commit").GetString().Should().Be(commit[..12]);
        history.GetProperty("file").GetString().Should().Be(".env");
        history.GetProperty("line").GetInt32().Should().Be(1);
        history.GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
    }

    [Fact]
    public async Task Doctor_KeyRemovedFromTreeButInHistory_NamesTheCommitFileLineAndFingerprint()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.ServiceAccount();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Write(".gitignore", ".env\n");
        repo.Write("src/Client.cs", $"// client\nusing OpenAI;\nvar key = \"{key}\";\n");
        var leaked = repo.Commit("add client");
        repo.Write("src/Client.cs", "// client\nusing OpenAI;\n");
        repo.Commit("remove the key");

        var human = await ToolProcess.RunAsync(repo.Path, null, null, "doctor");
        var json = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json");

        human.ExitCode.Should().Be(1, human.ToString());
        human.Output.Should().Contain($"commit {leaked[..12]} src/Client.cs:3 {ShapedKeys.Fingerprint(key)}");
        human.ShouldNotContainSecrets(key);
        json.ShouldNotContainSecrets(key);
        var report = json.Json();
        report.GetProperty("hygiene").GetProperty("workingTree").GetArrayLength().Should().Be(0, "the key is gone from the files");
        var history = report.GetProperty("hygiene").GetProperty("history");
        history.GetArrayLength().Should().Be(1);
        history[0].GetProperty("commit").GetString().Should().Be(leaked[..12]);
        history[0].GetProperty("file").GetString().Should().Be("src/Client.cs");
        history[0].GetProperty("line").GetInt32().Should().Be(3);
        history[0].GetProperty("kind").GetString().Should().Be("service-account");
        Codes(report, "error").Should().Contain("key-in-history").And.Contain("no-key");
    }

    [Fact]
    public async Task Doctor_KeyInWorkingTree_ReportsFileLineAndFingerprint()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.Project();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Commit("initial");
        repo.Write("notes/setup.md", $"# Setup\n\nUse `{key}` for now.\n");

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json", "--no-history");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key);
        var found = run.Json().GetProperty("hygiene").GetProperty("workingTree")[0];
        found.GetProperty("file").GetString().Should().Be("notes/setup.md");
        found.GetProperty("line").GetInt32().Should().Be(3);
        found.GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
        run.Json().GetProperty("hygiene").GetProperty("historyScanned").GetBoolean().Should().BeFalse("--no-history");
    }

    [Fact]
    public async Task Doctor_WorldReadableDotEnv_IsAnErrorAndGroupReadableAWarning()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.Project();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Write(".gitignore", ".env\n");
        repo.Commit("initial");
        var dotEnv = repo.Write(".env", $"OPENAI_API_KEY={key}\n", Modes.WorldReadable);

        var world = await ToolProcess.RunAsync(repo.Path, null, null, "doctor");
        File.SetUnixFileMode(dotEnv, Modes.GroupReadable);
        var group = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json");

        world.ExitCode.Should().Be(1, world.ToString());
        world.Output.Should().Contain("error dotenv-permissions").And.Contain("mode 644").And.Contain("chmod 600 .env");
        world.ShouldNotContainSecrets(key);
        group.ExitCode.Should().Be(0, "a group-readable file is a warning: " + group);
        Codes(group.Json(), "warning").Should().Contain("dotenv-permissions");
        group.Json().GetProperty("hygiene").GetProperty("dotEnvFiles")[0].GetProperty("mode").GetString().Should().Be("640");
    }

    [Fact]
    public async Task Doctor_OutsideAGitRepository_WarnsAndStillChecksFilesAndPermissions()
    {
        using var directory = TempRepository.Create(git: false);
        var key = ShapedKeys.Project();
        directory.Write("appsettings.json", DotEnvChain);
        directory.Write(".env", $"OPENAI_API_KEY={key}\n", Modes.OwnerOnly);

        var run = await ToolProcess.RunAsync(directory.Path, new Dictionary<string, string> { ["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(directory.Path)! }, null, "doctor", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        var report = run.Json();
        Codes(report, "warning").Should().Contain("not-a-git-repository");
        report.GetProperty("servedKey").GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
        report.GetProperty("hygiene").GetProperty("dotEnvFiles")[0].GetProperty("ownerOnly").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Doctor_MissingProjectDirectory_ExitsTwo()
    {
        var run = await ToolProcess.RunAsync(Path.GetTempPath(), null, null, "doctor", "--project", Path.Combine(Path.GetTempPath(), "kvt-does-not-exist-" + Guid.NewGuid().ToString("N")));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("does not exist");
    }

    [Fact]
    public async Task Doctor_UnknownOption_ExitsTwoWithoutEchoingAKey()
    {
        var key = ShapedKeys.Project();

        var run = await ToolProcess.RunAsync(Path.GetTempPath(), null, null, "doctor", key);

        run.ExitCode.Should().Be(2, run.ToString());
        run.ShouldNotContainSecrets(key);
        run.Error.Should().Contain("never an argument");
    }

    internal static IEnumerable<string> Codes(JsonElement report, string severity)
        => report.GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("severity").GetString() == severity)
            .Select(f => f.GetProperty("code").GetString()!)
            .ToList();
}
