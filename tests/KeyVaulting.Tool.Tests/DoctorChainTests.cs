using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using KeyVaulting.Tool.Tests.Infrastructure;

namespace KeyVaulting.Tool.Tests;

/// <summary><c>keyvaulting doctor</c> against configured chains over local store fakes and a fake OpenAI endpoint.</summary>
public sealed class DoctorChainTests
{
    [Fact]
    public async Task Doctor_ChainOverHashiCorpVault_ReportsEachSourceAndTheVersionServed()
    {
        await using var vault = await FakeVaultServer.StartAsync(TimeProvider.System);
        vault.Vault.EnableKv();
        var key = TestKeys.Project('V');
        vault.Vault.PutKey("apps/chat", TestKeys.Project('U'));
        var version = vault.Vault.PutKey("apps/chat", key);
        var token = vault.Vault.CreateToken();
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""
            { "KeyVaulting": { "Chain": "Env, Vault", "Sources": {
                "Env": { "Type": "EnvironmentVariable", "Variable": "CHAT_OPENAI_KEY" },
                "Vault": { "Type": "HashiCorpVault", "Address": "{{vault.Address}}", "Path": "apps/chat", "TokenVariable": "CHAT_VAULT_TOKEN" } } } }
            """);
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = token }, null, "doctor", "--json", "--no-history");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, token);
        var report = run.Json();
        var env = report.GetProperty("sources")[0];
        env.GetProperty("status").GetString().Should().Be("notFound");
        env.GetProperty("reason").GetString().Should().Contain("CHAT_OPENAI_KEY");
        var source = report.GetProperty("sources")[1];
        source.GetProperty("status").GetString().Should().Be("found");
        source.GetProperty("reachable").GetBoolean().Should().BeTrue();
        source.GetProperty("version").GetString().Should().Be(version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        source.GetProperty("settings").GetProperty("TokenVariable").GetString().Should().Be("CHAT_VAULT_TOKEN");
        source.GetProperty("served").GetBoolean().Should().BeTrue();
        source.GetProperty("durationMs").GetInt64().Should().BeGreaterThanOrEqualTo(0);
        report.GetProperty("servedKey").GetProperty("fingerprint").GetString().Should().Be(new OpenAIKey(key, "test").Fingerprint);
    }

    [Fact]
    public async Task Doctor_StoreUnreachable_ReportsItAndThatTheChainStopsThere()
    {
        // A port that was free a moment ago: nothing listens there.
        var closed = await FreeLoopbackAddressAsync();
        using var repo = TempRepository.Create();
        var key = TestKeys.Project('D');
        repo.Write("appsettings.json", $$"""
            { "KeyVaulting": { "Chain": "Vault, DotEnv", "Sources": {
                "Vault": { "Type": "HashiCorpVault", "Address": "{{closed}}", "Path": "apps/chat", "TokenVariable": "CHAT_VAULT_TOKEN" },
                "DotEnv": { "Type": "DotEnvFile" } } } }
            """);
        repo.Write(".gitignore", ".env\n");
        repo.Commit("initial");
        repo.Write(".env", $"OPENAI_API_KEY={key}\n", Modes.OwnerOnly);

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["CHAT_VAULT_TOKEN"] = "hvs.test-token" }, null, "doctor", "--json", "--no-history", "--timeout", "20");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key, "hvs.test-token");
        var report = run.Json();
        var vault = report.GetProperty("sources")[0];
        vault.GetProperty("status").GetString().Should().BeOneOf("failed", "timedOut");
        vault.GetProperty("reachable").GetBoolean().Should().BeFalse();
        report.GetProperty("sources")[1].GetProperty("status").GetString().Should().Be("found", "asked alone, the .env file has a key");
        report.TryGetProperty("servedKey", out _).Should().BeFalse("an outage never switches the application to the next source's key");
        report.GetProperty("chainError").GetString().Should().Contain("not tried");
        DoctorHygieneTests.Codes(report, "error").Should().Contain("no-key");
    }

    [Fact]
    public async Task Doctor_ChainOverAwsSecretsManager_ReportsTheKeyAndVersion()
    {
        await using var aws = await FakeSecretsManager.StartAsync(TimeProvider.System);
        var identity = aws.AddIdentity();
        var key = TestKeys.Project('W');
        var versionId = aws.PutSecretString("prod/openai", key);
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""
            { "KeyVaulting": { "Sources": { "Aws": { "Type": "AwsSecretsManager", "SecretId": "prod/openai", "Region": "{{FakeSecretsManager.Region}}", "ServiceUrl": "{{aws.Url}}" } } } }
            """);
        repo.Commit("initial");
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = identity.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = identity.SecretAccessKey };

        var run = await ToolProcess.RunAsync(repo.Path, environment, null, "doctor", "--json", "--no-history");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets([key, .. identity.Secrets]);
        var source = run.Json().GetProperty("sources")[0];
        source.GetProperty("name").GetString().Should().Be("Aws");
        source.GetProperty("position").GetInt32().Should().Be(1, "a single defined source is the chain");
        source.GetProperty("status").GetString().Should().Be("found");
        source.GetProperty("version").GetString().Should().Be(versionId);
        source.GetProperty("settings").GetProperty("SecretId").GetString().Should().Be("prod/openai", "the secret's name is what an operator checks first");
    }

    [Fact]
    public async Task Doctor_ChainOverAzureKeyVault_ReportsTheKeyAndVersionReadWithTheConfiguredCredential()
    {
        await using var azure = await AzureKeyVaultForTool.StartAsync();
        var key = TestKeys.Project('Z');
        azure.Vault.AddVersion("openai-api-key", TestKeys.Project('Y'));
        var latest = azure.Vault.AddVersion("openai-api-key", key);
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""{ "KeyVaulting": { "Sources": { {{azure.Source("Kv", "openai-api-key")}} } } }""");
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, azure.Environment, null, "doctor", "--json", "--no-history");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key, azure.Vault.Credential.Token, azure.Identity.Header);
        var report = run.Json();
        var source = report.GetProperty("sources")[0];
        source.GetProperty("name").GetString().Should().Be("Kv");
        source.GetProperty("status").GetString().Should().Be("found");
        source.GetProperty("reachable").GetBoolean().Should().BeTrue();
        source.GetProperty("version").GetString().Should().Be(latest.Id, "the latest version is served");
        source.GetProperty("settings").GetProperty("SecretName").GetString().Should().Be("openai-api-key", "the secret's name is not a secret");
        report.GetProperty("servedKey").GetProperty("fingerprint").GetString().Should().Be(new OpenAIKey(key, "test").Fingerprint);
        azure.Identity.Resources.Should().NotBeEmpty().And.OnlyContain(r => r == azure.Resource, "the token is asked for the resource Key Vault's challenge names");
        azure.Vault.AuthenticatedRequests.Should().Contain(r => r.Method == "GET" && r.Path == "/secrets/openai-api-key");
    }

    [Fact]
    public async Task Doctor_CheckKeyAccepted_ReportsValidWithOrganizationAndProject()
    {
        var key = TestKeys.Project('K');
        await using var openAI = await LocalOpenAIServer.StartAsync(key);
        openAI.EnqueueResponse(200, """{ "object": "list", "data": [] }""", ("openai-organization", "org-doctortest"), ("openai-project", "proj_doctortest"));
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""
            { "OpenAI": { "Endpoint": "{{openAI.Endpoint}}", "ProjectId": "proj_doctortest" },
              "KeyVaulting": { "Sources": { "Env": { "Type": "EnvironmentVariable" } } } }
            """);
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["OPENAI_API_KEY"] = key }, null, "doctor", "--check-key", "--json", "--no-history");

        run.ExitCode.Should().Be(0, run.ToString());
        run.ShouldNotContainSecrets(key);
        var check = run.Json().GetProperty("keyCheck");
        check.GetProperty("result").GetString().Should().Be("valid");
        check.GetProperty("httpStatus").GetInt32().Should().Be(200);
        check.GetProperty("organization").GetString().Should().Be("org-doctortest");
        check.GetProperty("projectId").GetString().Should().Be("proj_doctortest");
        var request = openAI.Requests.Single();
        request.Path.Should().Be("/v1/models");
        request.Key.Should().Be(key);
        request.Project.Should().Be("proj_doctortest", "the configured OpenAI-Project header is sent as the application sends it");
    }

    [Fact]
    public async Task Doctor_CheckKeyRejected_ReportsOpenAIsErrorTypeAndExitsOne()
    {
        var key = TestKeys.Project('R');
        await using var openAI = await LocalOpenAIServer.StartAsync(); // accepts no key: as for a revoked one
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""{ "OpenAI": { "Endpoint": "{{openAI.Endpoint}}" } }""");
        repo.Commit("initial");

        var human = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["OPENAI_API_KEY"] = key }, null, "doctor", "--check-key", "--no-history");
        var json = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["OPENAI_API_KEY"] = key }, null, "doctor", "--check-key", "--json", "--no-history");

        human.ExitCode.Should().Be(1, human.ToString());
        human.Output.Should().Contain("rejected").And.Contain("invalid_api_key");
        human.ShouldNotContainSecrets(key);
        json.ShouldNotContainSecrets(key);
        var report = json.Json();
        report.GetProperty("keyCheck").GetProperty("result").GetString().Should().Be("rejected");
        report.GetProperty("keyCheck").GetProperty("httpStatus").GetInt32().Should().Be(401);
        report.GetProperty("keyCheck").GetProperty("errorCode").GetString().Should().Be("invalid_api_key");
        DoctorHygieneTests.Codes(report, "error").Should().Contain("key-rejected");
        report.GetProperty("sources")[0].GetProperty("configuredIn").GetString().Should().StartWith("the default chain");
    }

    [Fact]
    public async Task Doctor_AdminKeyInTheApplication_IsAnErrorAndIsNotSentToTheModelApi()
    {
        var key = ShapedKeys.Admin();
        await using var openAI = await LocalOpenAIServer.StartAsync(key);
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""{ "OpenAI": { "Endpoint": "{{openAI.Endpoint}}" } }""");
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, new Dictionary<string, string> { ["OPENAI_API_KEY"] = key }, null, "doctor", "--check-key", "--json", "--no-history");

        run.ExitCode.Should().Be(1, run.ToString());
        run.ShouldNotContainSecrets(key);
        var report = run.Json();
        report.GetProperty("servedKey").GetProperty("kind").GetString().Should().Be("admin");
        DoctorHygieneTests.Codes(report, "error").Should().Contain("admin-key");
        report.GetProperty("keyCheck").GetProperty("result").GetString().Should().Be("skipped");
        openAI.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task Doctor_MisspeltSetting_ReportsInvalidConfigurationNamingIt()
    {
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", """{ "KeyVaulting": { "Sources": { "Env": { "Type": "EnvironmentVariable", "Varaible": "X" } } } }""");
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json", "--no-history");

        run.ExitCode.Should().Be(1, run.ToString());
        var source = run.Json().GetProperty("sources")[0];
        source.GetProperty("status").GetString().Should().Be("invalidConfiguration");
        source.GetProperty("reason").GetString().Should().Contain("Varaible").And.Contain("KeyVaulting:Sources:Env");
    }

    [Fact]
    public async Task Doctor_SecretIdOutsideAwsSecretsManager_IsHidden()
    {
        // A HashiCorp Vault AppRole secret id pasted under the Vault source: a credential, never printed.
        var secretId = Guid.NewGuid().ToString();
        using var repo = TempRepository.Create();
        repo.Write("appsettings.json", $$"""{ "KeyVaulting": { "Sources": { "Vault": { "Type": "HashiCorpVault", "Address": "http://127.0.0.1:1", "Path": "openai", "SecretId": "{{secretId}}" } } } }""");
        repo.Commit("initial");

        var run = await ToolProcess.RunAsync(repo.Path, null, null, "doctor", "--json", "--no-history");

        run.ShouldNotContainSecrets(secretId);
        var source = run.Json().GetProperty("sources")[0];
        source.GetProperty("settings").GetProperty("SecretId").GetString().Should().Be("(hidden)");
        source.GetProperty("settings").GetProperty("Path").GetString().Should().Be("openai");
    }

    [Fact]
    public async Task Doctor_DevelopmentEnvironment_LayersEnvironmentFileUserSecretsAndVariables()
    {
        var key = TestKeys.Project('S');
        using var repo = TempRepository.Create();
        var secretsId = "kvt-" + Guid.NewGuid().ToString("N");
        repo.Write("App.csproj", $"<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><UserSecretsId>{secretsId}</UserSecretsId></PropertyGroup></Project>");
        repo.Write("appsettings.json", """{ "KeyVaulting": { "Sources": { "Env": { "Type": "EnvironmentVariable", "Variable": "PROD_KEY" } } } }""");
        repo.Write("appsettings.Development.json", """{ "KeyVaulting": { "Sources": { "Env": { "Variable": "DEV_KEY" } } } }""");
        repo.Commit("initial");
        var home = Path.Combine(repo.Path, "home");
        repo.Write($"home/.microsoft/usersecrets/{secretsId}/secrets.json", """{ "KeyVaulting:Sources:Env:Variable": "SECRET_KEY" }""");
        var environment = new Dictionary<string, string> { ["HOME"] = home, ["SECRET_KEY"] = key, ["DEV_KEY"] = TestKeys.Project('X') };

        var production = await ToolProcess.RunAsync(repo.Path, environment, null, "doctor", "--json", "--no-history");
        var development = await ToolProcess.RunAsync(repo.Path, environment, null, "doctor", "--json", "--no-history", "--environment", "Development");

        production.Json().GetProperty("environment").GetString().Should().Be("Production");
        production.Json().GetProperty("sources")[0].GetProperty("reason").GetString().Should().Contain("PROD_KEY");
        var report = development.Json();
        development.ExitCode.Should().Be(0, development.ToString());
        development.ShouldNotContainSecrets(key, TestKeys.Project('X'));
        report.GetProperty("userSecretsFile").GetString().Should().EndWith("secrets.json");
        report.GetProperty("servedKey").GetProperty("source").GetString().Should().Be("EnvironmentVariable:SECRET_KEY");
        report.GetProperty("sources")[0].GetProperty("settings").GetProperty("Variable").GetString().Should().Be("SECRET_KEY");
    }

    private static async Task<string> FreeLoopbackAddressAsync()
    {
        var server = await LocalServer.StartAsync(_ => Task.CompletedTask);
        var address = server.Address.ToString();
        await server.DisposeAsync();
        return address;
    }
}
