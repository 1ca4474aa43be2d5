using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using KeyVaulting.Tool.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests;

/// <summary>
/// <c>keyvaulting set</c> into HashiCorp Vault beyond the KV v2 write (SetCommandTests): a concurrent write caught by
/// check-and-set, KV version 1, a token Vault rejects, and a source whose keys Vault's OpenAI secrets engine mints.
/// </summary>
public sealed class SetHashiCorpVaultTests
{
    private const string DataPath = "secret/data/apps/chat";

    [Fact]
    public async Task Set_HashiCorpVaultSecretChangedAfterTheRead_CheckAndSetRefusesAndNothingIsOverwritten()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv();
        var first = TestKeys.Project('F');
        var concurrent = TestKeys.Project('C');
        vault.Vault.PutKey("apps/chat", first);
        vault.Vault.PutKey("apps/chat", concurrent);

        // The tool reads version 1, as if it had read just before someone else (a rotation) wrote version 2.
        var stale = new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["data"] = new JsonObject { ["api_key"] = first },
                ["metadata"] = new JsonObject { ["version"] = 1, ["created_time"] = "2026-01-01T00:00:00Z", ["deletion_time"] = string.Empty, ["destroyed"] = false },
            },
        };
        vault.Inject(r => r.Method == "GET" && r.Path == DataPath, 200, stale.ToJsonString());
        var token = vault.Vault.CreateToken(new TokenPolicy { Write = ["*"] });
        var key = TestKeys.Project('N');
        using var repo = Repository(TokenSource(vault.Address));

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, key, "set", "--store", "Vault");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key, first, concurrent, token);
        run.Error.Should().Contain("source Vault").And.Contain("changed between the tool's read (version 1) and its write (check-and-set)").And.Contain("Nothing was written");
        vault.Vault.CasRejections.Should().Be(1, "the write carried cas=1 and Vault refused it");
        vault.Vault.LatestKv2Version("apps/chat").Should().Be(2);
        ((string?)vault.Vault.ReadKv2("apps/chat")!.Value.Data["api_key"]).Should().Be(concurrent, "the concurrent write is kept");
    }

    [Fact]
    public async Task Set_HashiCorpVaultKv1_ReplacesTheFieldInPlaceKeepingTheOthers()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv(version: 1);
        var old = TestKeys.Project('O');
        vault.Vault.PutKv1("secret", "apps/chat", new Dictionary<string, object?> { ["api_key"] = old, ["organization"] = "org-keep" });
        var token = vault.Vault.CreateToken(new TokenPolicy { Write = ["*"] });
        var key = ShapedKeys.Project();
        using var repo = Repository(TokenSource(vault.Address, """, "KvVersion": 1"""));

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, key, "set", "--store", "Vault", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, old, token);
        var result = run.Json();
        result.GetProperty("verified").GetBoolean().Should().BeTrue();
        result.GetProperty("location").GetString().Should().Contain("secret/apps/chat");
        result.TryGetProperty("version", out _).Should().BeFalse("KV version 1 keeps no versions");
        var fields = vault.Vault.ReadKv1("apps/chat")!;
        ((string?)fields["api_key"]).Should().Be(key);
        ((string?)fields["organization"]).Should().Be("org-keep");
        vault.Count("secret/apps/chat", "POST").Should().Be(1);
    }

    [Fact]
    public async Task Set_HashiCorpVaultRevokedToken_SaysTheTokenIsInvalidNotThatAPolicyIsMissing()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv();
        vault.Vault.PutKey("apps/chat", TestKeys.Project('O'));
        var token = vault.Vault.CreateToken(new TokenPolicy { Write = ["*"] });
        vault.Vault.RevokeToken(token);
        var key = TestKeys.Project('N');
        using var repo = Repository(TokenSource(vault.Address));

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, key, "set", "--store", "Vault");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key, token);
        run.Error.Should().Contain("source Vault").And.Contain("CHAT_VAULT_TOKEN").And.Contain("invalid").And.NotContain("needs a policy");
        vault.Vault.LatestKv2Version("apps/chat").Should().Be(1);
    }

    [Fact]
    public async Task Set_HashiCorpVaultAppRoleTokenRejected_LogsInAgainOnceAndWrites()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv();
        vault.Vault.EnableAppRole();
        vault.Vault.PutKey("apps/chat", TestKeys.Project('O'));
        var (roleId, secretId) = vault.Vault.AddAppRole(new TokenPolicy { Write = ["*"] });

        // The first write is answered as Vault answers a token revoked meanwhile.
        vault.Inject(r => r.Method == "POST" && r.Path == DataPath, 403, """{"errors":["permission denied","invalid token"]}""");
        var key = TestKeys.Project('N');
        using var repo = Repository($$"""
            "Vault": { "Type": "HashiCorpVault", "Address": "{{vault.Address}}", "Path": "apps/chat", "AuthMethod": "AppRole", "RoleId": "{{roleId}}", "SecretIdVariable": "CHAT_SECRET_ID" }
            """);

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_SECRET_ID"] = secretId }, key, "set", "--store", "Vault");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, secretId);
        vault.Count("auth/approle/login").Should().BeGreaterThanOrEqualTo(2, "the rejected token is replaced by a new login");
        vault.Count(DataPath, "POST").Should().Be(2, "the write is sent once more with the new token, and only once");
        ((string?)vault.Vault.ReadKv2("apps/chat")!.Value.Data["api_key"]).Should().Be(key);
    }

    [Fact]
    public async Task Set_HashiCorpVaultOpenAISecretsEngine_ExitsThreeSayingTheEngineMintsTheKeys()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableOpenAI("openai", new Dictionary<string, OpenAIRole> { ["chat"] = new() });
        var token = vault.Vault.CreateToken();
        var key = TestKeys.Project('N');
        using var repo = Repository($$"""
            "Vault": { "Type": "HashiCorpVault", "Address": "{{vault.Address}}", "SecretEngine": "OpenAI", "Path": "chat", "TokenVariable": "CHAT_VAULT_TOKEN" }
            """);

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, key, "set", "--store", "Vault");

        run.ExitCode.Should().Be(3, run.ToString());
        run.ShouldNotContainSecrets(key, token);
        run.Error.Should().Contain("source Vault").And.Contain("Vault's OpenAI secrets engine").And.Contain("vault read openai/creds/chat").And.Contain("no stored key to set")
            .And.NotContain("vault kv put");
        vault.Requests.Should().BeEmpty("nothing is sent to Vault, and the key is not even read");
    }

    private static string TokenSource(Uri address, string extra = "")
        => $$"""
            "Vault": { "Type": "HashiCorpVault", "Address": "{{address}}", "Path": "apps/chat", "TokenVariable": "CHAT_VAULT_TOKEN"{{extra}} }
            """;

    private static TempRepository Repository(string source)
    {
        var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""{ "KeyVaulting": { "Sources": { {{source}} } } }""");
        repo.Commit("initial");
        return repo;
    }
}
