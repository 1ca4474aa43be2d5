using System.Text;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
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
    public async Task Set_HashiCorpVaultKv2_WritesANewVersionKeepingTheOtherFields()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv();
        var old = TestKeys.Project('O');
        vault.Vault.PutKv2("secret", "apps/chat", new Dictionary<string, object?> { ["api_key"] = old, ["organization"] = "org-keep" });
        var token = vault.Vault.CreateToken(new TokenPolicy { Write = ["*"] });
        var key = ShapedKeys.Project();
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", VaultChain(vault.Address));
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, key + "\n", "set", "--store", "Vault");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, old, token);
        run.Output.Should().Contain(ShapedKeys.Fingerprint(key)).And.Contain("secret/data/apps/chat").And.Contain("version 2").And.Contain("reads it back");
        var (data, version) = vault.Vault.ReadKv2("apps/chat")!.Value;
        version.Should().Be(2, "the key is a new current version");
        ((string?)data["api_key"]).Should().Be(key);
        ((string?)data["organization"]).Should().Be("org-keep", "the secret's other fields are written back as they were");
        vault.Vault.CasRejections.Should().Be(0);
    }

    [Fact]
    public async Task Set_HashiCorpVaultTokenWithoutWrite_FailsNamingThePolicyAndWritesNothing()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv();
        var old = TestKeys.Project('O');
        vault.Vault.PutKey("apps/chat", old);
        var token = vault.Vault.CreateToken(); // read only
        var key = TestKeys.Project('N');
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", VaultChain(vault.Address));
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, key, "set", "--store", "Vault");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key, old, token);
        run.Error.Should().Contain("HashiCorp Vault denied").And.Contain("source Vault").And.Contain("CHAT_VAULT_TOKEN")
            .And.Contain("path \"secret/data/apps/chat\" { capabilities = [\"read\", \"create\", \"update\"] }");
        vault.Vault.LatestKv2Version("apps/chat").Should().Be(1);
        ((string?)vault.Vault.ReadKv2("apps/chat")!.Value.Data["api_key"]).Should().Be(old);
    }

    [Fact]
    public async Task Set_AwsSecretsManagerJsonField_PutsANewCurrentVersionKeepingTheOtherFields()
    {
        await using var aws = await FakeSecretsManager.StartAsync(TimeProvider.System);
        var identity = aws.AddIdentity();
        var old = TestKeys.Project('O');
        var first = aws.PutSecretString("prod/openai", $$"""{"api_key":"{{old}}","organization":"org-keep"}""");
        var key = ShapedKeys.Project();
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", AwsChain(aws.Url, jsonField: true));
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, AwsEnvironment(identity), key, "set", "--store", "Aws", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets([key, old, .. identity.Secrets]);
        var result = run.Json();
        result.GetProperty("verified").GetBoolean().Should().BeTrue();
        result.GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
        var version = result.GetProperty("version").GetString();
        version.Should().NotBe(first);
        aws.Labels("prod/openai")[version!].Should().Contain("AWSCURRENT");
        aws.Labels("prod/openai")[first].Should().Contain("AWSPREVIOUS");
        var current = System.Text.Json.Nodes.JsonNode.Parse(aws.TextAt("prod/openai", "AWSCURRENT")!)!;
        ((string?)current["api_key"]).Should().Be(key);
        ((string?)current["organization"]).Should().Be("org-keep");
    }

    [Fact]
    public async Task Set_AwsSecretsManagerPutDenied_FailsNamingThePermissionAndWritesNothing()
    {
        await using var aws = await FakeSecretsManager.StartAsync(TimeProvider.System);
        var identity = aws.AddIdentity();
        var old = TestKeys.Project('O');
        aws.PutSecretString("prod/openai", old);
        aws.DenyAction(identity, "PutSecretValue");
        var key = TestKeys.Project('N');
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", AwsChain(aws.Url, jsonField: false));
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, AwsEnvironment(identity), key, "set", "--store", "Aws");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets([key, old, .. identity.Secrets]);
        run.Error.Should().Contain("AWS Secrets Manager denied PutSecretValue").And.Contain("source Aws").And.Contain("needs secretsmanager:PutSecretValue");
        aws.VersionCount("prod/openai").Should().Be(1);
        aws.TextAt("prod/openai", "AWSCURRENT").Should().Be(old);
    }

    private static string VaultChain(Uri address) => $$"""
        { "KeyVaulting": { "Sources": { "Vault": { "Type": "HashiCorpVault", "Address": "{{address}}", "Path": "apps/chat", "TokenVariable": "CHAT_VAULT_TOKEN" } } } }
        """;

    private static string AwsChain(Uri url, bool jsonField) => $$"""
        { "KeyVaulting": { "Sources": { "Aws": { "Type": "AwsSecretsManager", "SecretId": "prod/openai", "Region": "{{FakeSecretsManager.Region}}", "ServiceUrl": "{{url}}"{{(jsonField ? ", \"JsonField\": \"api_key\"" : string.Empty)}} } } } }
        """;

    private static Dictionary<string, string> AwsEnvironment(AwsTestIdentity identity)
        => new() { ["AWS_ACCESS_KEY_ID"] = identity.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = identity.SecretAccessKey };

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
