using System.Text;
using KeyVaulting.Testing;
using KeyVaulting.Tool.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests;

/// <summary><c>keyvaulting set</c>: the key from standard input into the configured store, then read back through it.</summary>
public sealed class SetCommandTests
{
    private const string DotEnvChain = """{ "KeyVaulting": { "Chain": "DotEnv", "Sources": { "DotEnv": { "Type": "DotEnvFile", "Path": ".env" } } } }""";

    [Fact]
    public async Task Set_DotEnvFromStandardInput_ReplacesOnlyTheValueAndKeepsPermissions()
    {
        using var repo = TempRepository.Create();
        var old = TestKeys.Project('O');
        var key = ShapedKeys.Project();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Write(".gitignore", ".env\n");
        repo.Commit("initial");
        var before = $"# development settings\r\nexport OTHER=\"keep me\"\r\nOPENAI_API_KEY=\"{old}\" # the key\r\nLAST=1";
        var dotEnv = repo.Write(".env", before, Modes.OwnerOnly);

        var run = await ToolProcess.RunAsync(repo.Path, null, key + "\n", "set", "--store", "DotEnv");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, old);
        run.Output.Should().Contain(ShapedKeys.Fingerprint(key)).And.Contain("reads it back").And.Contain(new OpenAIKey(old, "t").Fingerprint);
        File.ReadAllText(dotEnv).Should().Be(before.Replace(old, key, StringComparison.Ordinal), "only the value changes, its quotes, comments and CRLF kept");
        File.GetUnixFileMode(dotEnv).Should().Be(Modes.OwnerOnly);
        Directory.GetFiles(repo.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty();

        var doctor = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json", "--no-history");
        doctor.Json().GetProperty("servedKey").GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
    }

    [Fact]
    public async Task Set_NoDotEnvFileYet_CreatesItOwnerOnlyAndWarnsWhenNotIgnored()
    {
        using var repo = TempRepository.Create();
        var key = TestKeys.Project('N');
        repo.Write("appsettings.json", DotEnvChain);
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, null, key, "set", "--store", "DotEnv", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key);
        var result = run.Json();
        result.GetProperty("verified").GetBoolean().Should().BeTrue();
        result.GetProperty("fingerprint").GetString().Should().Be(new OpenAIKey(key, "t").Fingerprint);
        result.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).Should().Contain(w => w!.Contains("not git-ignored"));
        var dotEnv = Path.Combine(repo.Path, ".env");
        File.ReadAllText(dotEnv, Encoding.ASCII).Should().Be($"OPENAI_API_KEY={key}\n");
        File.GetUnixFileMode(dotEnv).Should().Be(Modes.OwnerOnly);
    }

    [Fact]
    public async Task Set_StoreWithoutAWriteSideYet_ExitsThreeNamingThePackageAndTheStoresOwnTool()
    {
        using var repo = TempRepository.Create();
        var key = TestKeys.Project('Q');
        repo.Write("appsettings.json", """{ "KeyVaulting": { "Sources": { "Vault": { "Type": "HashiCorpVault", "Address": "http://127.0.0.1:1/", "Path": "apps/chat" } } } }""");
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, null, key, "set", "--store", "Vault");

        run.ExitCode.Should().Be(3, run.ToString());
        run.Error.Should().Contain("KeyVaulting.HashiCorpVault").And.Contain("vault kv put");
        run.ShouldNotContainSecrets(key);
    }

    [Fact]
    public async Task Set_AdminKey_IsRefusedForTheApplicationsStore()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.Admin();
        repo.Write("appsettings.json", DotEnvChain);
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, null, key, "set", "--store", "DotEnv");

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("admin key").And.Contain("--allow-admin-key");
        run.ShouldNotContainSecrets(key);
        File.Exists(Path.Combine(repo.Path, ".env")).Should().BeFalse();
    }

    [Fact]
    public async Task Set_KeyGivenAsAnArgument_IsRefusedWithoutEchoingIt()
    {
        using var repo = TempRepository.Create();
        var key = ShapedKeys.Project();
        repo.Write("appsettings.json", DotEnvChain);

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "set", "--store", "DotEnv", key);

        run.ExitCode.Should().Be(2, run.ToString());
        run.ShouldNotContainSecrets(key);
        File.Exists(Path.Combine(repo.Path, ".env")).Should().BeFalse();
    }

    [Fact]
    public async Task Set_EmptyStandardInput_ExitsTwoAndWritesNothing()
    {
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", DotEnvChain);

        var run = await ToolProcess.RunAsync(repo.Path, null, "\n", "set", "--store", "DotEnv");

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("No key on standard input");
        File.Exists(Path.Combine(repo.Path, ".env")).Should().BeFalse();
    }
}
