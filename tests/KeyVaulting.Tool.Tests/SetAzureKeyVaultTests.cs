using System.Text.Json.Nodes;
using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using KeyVaulting.Tool.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests;

/// <summary>
/// <c>keyvaulting set</c> into Azure Key Vault, the tool a real process: through the package's own client, with the
/// credential the source configures (here App Service's managed identity), against the Key Vault fake (see
/// <see cref="AzureKeyVaultForTool"/> for how the child trusts it and gets its token).
/// </summary>
public sealed class SetAzureKeyVaultTests
{
    private const string SecretName = "openai-api-key";

    [Fact]
    public async Task Set_AzureKeyVault_WritesANewVersionThatTheSourceReadsBack()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var old = TestKeys.Project('O');
        azure.Vault.AddVersion(SecretName, old);
        var key = ShapedKeys.Project();
        using var repo = Repository(azure.Source("Kv", SecretName));

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key + "\n", "set", "--store", "Kv");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, old, azure.Vault.Credential.Token, azure.Identity.Header);
        var versions = azure.Vault.VersionsOf(SecretName);
        versions.Should().HaveCount(2, "the key is a new version; the old one is kept");
        versions[^1].Value.Should().Be(key);
        run.Output.Should().Contain(ShapedKeys.Fingerprint(key)).And.Contain($"secret '{SecretName}'").And.Contain($"version {versions[^1].Id}").And.Contain("reads it back");
        azure.Vault.AuthenticatedRequests.Should().Contain(r => r.Method == "PUT" && r.Path == $"/secrets/{SecretName}");
        azure.Identity.Resources.Should().NotBeEmpty().And.OnlyContain(r => r == azure.Resource);
        azure.Proxy.Targets.Should().NotBeEmpty().And.OnlyContain(t => t == azure.VaultUri.Authority, "nothing but the vault is reached over HTTPS");
    }

    [Fact]
    public async Task Set_AzureKeyVaultJsonField_ReplacesOnlyThatFieldInANewVersion()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var old = TestKeys.Project('O');
        azure.Vault.AddVersion(SecretName, $$"""{"apiKey":"{{old}}","organization":"org-keep"}""");
        var key = ShapedKeys.Project();
        using var repo = Repository(azure.Source("Kv", SecretName, jsonField: "apiKey"));

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key, "set", "--store", "Kv", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, old, azure.Vault.Credential.Token);
        var latest = azure.Vault.Latest(SecretName)!;
        var result = run.Json();
        result.GetProperty("verified").GetBoolean().Should().BeTrue();
        result.GetProperty("fingerprint").GetString().Should().Be(ShapedKeys.Fingerprint(key));
        result.GetProperty("version").GetString().Should().Be(latest.Id);
        result.GetProperty("location").GetString().Should().Contain("field apiKey");
        var fields = JsonNode.Parse(latest.Value)!;
        ((string?)fields["apiKey"]).Should().Be(key);
        ((string?)fields["organization"]).Should().Be("org-keep", "the secret's other fields are written back as they were");
        azure.Vault.VersionsOf(SecretName).Should().HaveCount(2);
    }

    [Fact]
    public async Task Set_AzureKeyVaultJsonFieldNoSecretYet_CreatesItWithTheFieldAlone()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var key = TestKeys.Project('N');
        using var repo = Repository(azure.Source("Kv", SecretName, jsonField: "apiKey"));

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key, "set", "--store", "Kv");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key);
        ((string?)JsonNode.Parse(azure.Vault.Latest(SecretName)!.Value)!["apiKey"]).Should().Be(key);
    }

    [Fact]
    public async Task Set_AzureKeyVaultJsonFieldButTheSecretIsNotJson_FailsWithoutShowingTheValueAndWritesNothing()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var old = TestKeys.Project('O');
        azure.Vault.AddVersion(SecretName, old);
        var key = TestKeys.Project('N');
        using var repo = Repository(azure.Source("Kv", SecretName, jsonField: "apiKey"));

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key, "set", "--store", "Kv");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key, old);
        run.Error.Should().Contain("source Kv").And.Contain("is not a JSON object").And.Contain("Remove JsonField");
        azure.Vault.VersionsOf(SecretName).Should().ContainSingle();
    }

    [Fact]
    public async Task Set_AzureKeyVaultWithoutSetPermission_FailsNamingTheRoleAndWritesNothing()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var old = TestKeys.Project('O');
        azure.Vault.AddVersion(SecretName, old);
        azure.Vault.Enqueue(new ScriptedResponse(403, KeyVaultFixtures.ForbiddenByRbacBody("setSecret/action")));
        var key = TestKeys.Project('N');
        using var repo = Repository(azure.Source("Kv", SecretName));

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key, "set", "--store", "Kv");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key, old, azure.Vault.Credential.Token);
        run.Error.Should().Contain("source Kv").And.Contain("denied the write").And.Contain("ManagedIdentityCredential")
            .And.Contain("'Key Vault Secrets Officer' role").And.Contain("'set' and 'get' secret permissions").And.Contain("403 Forbidden/ForbiddenByRbac");
        run.Output.Should().NotContain("wrote");
        azure.Vault.VersionsOf(SecretName).Should().ContainSingle().Which.Value.Should().Be(old);
    }

    [Fact]
    public async Task Set_AzureKeyVaultNotAtThatAddress_FailsNamingVaultUri()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        azure.Vault.Enqueue(new ScriptedResponse(404, KeyVaultFixtures.ErrorBody("NotFound", "The requested resource was not found.")));
        var key = TestKeys.Project('N');
        using var repo = Repository(azure.Source("Kv", SecretName));

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key, "set", "--store", "Kv");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key);
        run.Error.Should().Contain("source Kv").And.Contain("404").And.Contain("Check VaultUri");
        azure.Vault.VersionsOf(SecretName).Should().BeEmpty();
    }

    [Fact]
    public async Task Set_AzureKeyVaultCredentialUnavailable_FailsNamingTheCredentialAndHowToChooseAnother()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var key = TestKeys.Project('N');
        // Workload identity without AZURE_FEDERATED_TOKEN_FILE (not in AKS): unavailable, without any network call.
        var source = $$"""
            "Kv": { "Type": "AzureKeyVault", "VaultUri": "{{azure.VaultUri}}", "SecretName": "{{SecretName}}", "CredentialType": "WorkloadIdentity", "TenantId": "{{Guid.NewGuid()}}", "ClientId": "{{Guid.NewGuid()}}" }
            """;
        using var repo = Repository(source);

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, key, "set", "--store", "Kv");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key);
        run.Error.Should().Contain("source Kv").And.Contain("WorkloadIdentityCredential").And.Contain("is not available here")
            .And.Contain("KeyVaulting__Sources__Kv__CredentialType=AzureCli");
        azure.Vault.VersionsOf(SecretName).Should().BeEmpty();
    }

    [Fact]
    public async Task Set_AzureKeyVaultSourcePinsAVersion_IsRefusedBeforeTheKeyIsRead()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var pinned = azure.Vault.AddVersion(SecretName, TestKeys.Project('O'));
        var source = $$"""
            "Kv": { "Type": "AzureKeyVault", "VaultUri": "{{azure.VaultUri}}", "SecretName": "{{SecretName}}", "Version": "{{pinned.Id}}", "CredentialType": "ManagedIdentity" }
            """;
        using var repo = Repository(source);

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, TestKeys.Project('N'), "set", "--store", "Kv");

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain($"pins version {pinned.Id}").And.Contain("remove Version");
        azure.Vault.Requests.Should().BeEmpty("nothing is sent to the vault");
    }

    private static TempRepository Repository(string source)
    {
        var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""{ "KeyVaulting": { "Sources": { {{source}} } } }""");
        repo.Commit("initial");
        return repo;
    }
}
