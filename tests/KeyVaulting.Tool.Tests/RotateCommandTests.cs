using KeyVaulting.Testing;
using KeyVaulting.Tool.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests;

/// <summary>
/// <c>keyvaulting rotate</c> and <c>revoke-now</c> through the rotation package, into a <c>.env</c> target, against the
/// fake Admin API and the fake OpenAI API.
/// </summary>
public sealed class RotateCommandTests
{
    private const string ProjectId = "proj_tooltest";
    private const string ServiceAccountId = "svc_acct_tooltest";

    [Fact]
    public async Task RotateThenRevokeNow_DotEnvTarget_PromotesNewKeysAndRevokesTheReplacedOneAtOnce()
    {
        var adminKey = ShapedKeys.Admin();
        await using var api = await LocalOpenAIServer.StartAsync();
        await using var admin = await LocalOpenAIAdminServer.StartAsync(api, adminKey, ProjectId, ServiceAccountId, TimeProvider.System);
        var initial = admin.AddExistingKey(TestKeys.Project('I'), ServiceAccountId);
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""
            { "KeyVaulting": { "Chain": "DotEnv", "Sources": { "DotEnv": { "Type": "DotEnvFile" } } },
              "Rotation": { "ProjectId": "{{ProjectId}}", "ServiceAccountId": "{{ServiceAccountId}}", "Environment": "tooltest",
                            "AdminEndpoint": "{{admin.Endpoint}}", "Endpoint": "{{api.Endpoint}}",
                            "Target": { "Type": "DotEnvFile", "Path": ".env" } } }
            """);
        repo.Write(".gitignore", ".env*\n");
        repo.Commit("initial");
        var dotEnv = repo.Write(".env", $"# app\nOPENAI_API_KEY={initial.Value}\n", Modes.OwnerOnly);
        var environment = new Dictionary<string, string> { ["OPENAI_ADMIN_KEY"] = adminKey };

        var notDue = await ToolProcess.RunAsync(repo.Path, environment, null, "rotate", "--rotation-section", "Rotation", "--json");
        var rotated = await ToolProcess.RunAsync(repo.Path, environment, null, "rotate", "--rotation-section", "Rotation", "--force");
        var second = admin.LiveKeys.Single(k => k.Minted);
        var revoked = await ToolProcess.RunAsync(repo.Path, environment, null, "revoke-now", "--rotation-section", "Rotation", "--json");

        var secrets = admin.Keys.Select(k => k.Value).Append(adminKey).ToArray();
        notDue.ExitCode.Should().Be(0, notDue.ToString());
        notDue.Json().GetProperty("outcome").GetString().Should().Be("NotDue");
        rotated.ExitCode.Should().Be(0, rotated.ToString());
        rotated.Output.Should().Contain("create").And.Contain("stage").And.Contain("test").And.Contain("promote").And.Contain("Promoted");
        rotated.ShouldNotContainSecrets(secrets);
        revoked.ExitCode.Should().Be(0, revoked.ToString());
        revoked.ShouldNotContainSecrets(secrets);
        var result = revoked.Json();
        result.GetProperty("outcome").GetString().Should().Be("Completed");
        var third = admin.LiveKeys.Single(k => k.Minted);
        third.Id.Should().NotBe(second.Id);
        admin.Keys.Single(k => k.Id == second.Id).IsRevoked.Should().BeTrue("revoke-now revokes the replaced key at once");
        result.GetProperty("currentKeyId").GetString().Should().Be(third.Id);
        result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()).Should().Contain(["create", "stage", "test", "promote", "revoke"]);
        File.ReadAllText(dotEnv).Should().Be($"# app\nOPENAI_API_KEY={third.Value}\n");
        File.GetUnixFileMode(dotEnv).Should().Be(Modes.OwnerOnly);
    }

    [Fact]
    public async Task Rotate_AdminKeyMissing_FailsNamingTheAdminProviderAndChangesNothing()
    {
        await using var api = await LocalOpenAIServer.StartAsync();
        await using var admin = await LocalOpenAIAdminServer.StartAsync(api, ShapedKeys.Admin(), ProjectId, ServiceAccountId, TimeProvider.System);
        var initial = admin.AddExistingKey(TestKeys.Project('J'), ServiceAccountId);
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""
            { "Rotation": { "ProjectId": "{{ProjectId}}", "ServiceAccountId": "{{ServiceAccountId}}", "AdminEndpoint": "{{admin.Endpoint}}", "Endpoint": "{{api.Endpoint}}",
                            "Target": { "Type": "DotEnvFile", "Path": ".env" } } }
            """);
        var dotEnv = repo.Write(".env", $"OPENAI_API_KEY={initial.Value}\n", Modes.OwnerOnly);

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "revoke-now", "--rotation-section", "Rotation");

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("openai-admin");
        run.ShouldNotContainSecrets(initial.Value);
        admin.MintCount.Should().Be(0);
        File.ReadAllText(dotEnv).Should().Be($"OPENAI_API_KEY={initial.Value}\n");
    }

    [Fact]
    public async Task Rotate_NoRotationConfigured_ExitsTwo()
    {
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", "{}");

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "rotate");

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("KeyVaulting:Rotation");
    }
}
