using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Auth;

/// <summary>AppRole login: <c>POST /v1/auth/{mount}/login</c> with role_id and a secret_id from a file or a variable.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class AppRoleAuthMethodTests : IAsyncLifetime
{
    private static readonly string Key = TestKeys.Project('R');
    private VaultTestHost _host = null!;
    private EnvironmentScope _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = new EnvironmentScope();
        _host = await VaultTestHost.StartAsync();
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", Key);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _environment.Dispose();
    }

    [Fact]
    public async Task FetchAsync_SecretIdFile_LogsInAndReadsWithTheIssuedToken()
    {
        _host.Vault.EnableAppRole();
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy { Ttl = TimeSpan.FromMinutes(20), Read = ["secret/data/openai"] });
        var file = _host.Files.Write("secret-id", secretId + "\n");
        var source = _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdFile: file));

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(Key);
        var login = _host.Server.Requests.Single(r => r.Path == "auth/approle/login");
        login.Method.Should().Be("POST");
        login.Token.Should().BeNull("a login needs no token");
        _host.Server.Requests.Single(r => r.Path == "secret/data/openai").Token.Should().StartWith("test-token-");
        var loggedIn = _host.Logs.GetSnapshot().Single(r => r.Id.Id == 310);
        loggedIn.Level.Should().Be(LogLevel.Information);
        loggedIn.Message.Should().Contain("AppRole auth (auth/approle)").And.Contain("00:20:00").And.Contain("renewable: True");
        _host.ShouldNotLeakSecrets(more: roleId);
    }

    [Fact]
    public async Task FetchAsync_SecretIdVariable_LogsIn()
    {
        _host.Vault.EnableAppRole();
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy());
        _environment.Set("KEYVAULTING_TEST_SECRET_ID", secretId);
        var source = _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdVariable: "KEYVAULTING_TEST_SECRET_ID"));

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.ShouldNotLeakSecrets(more: roleId);
    }

    [Fact]
    public async Task FetchAsync_SecretIdVariableUnset_ThrowsNamingTheVariable()
    {
        _host.Vault.EnableAppRole();
        var (roleId, _) = _host.Vault.AddAppRole(new TokenPolicy());
        var source = _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdVariable: "KEYVAULTING_TEST_UNSET_SECRET_ID"));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Be("Cannot read the Vault secret_id: the environment variable KEYVAULTING_TEST_UNSET_SECRET_ID is not set.");
    }

    [Fact]
    public async Task FetchAsync_CustomMountPath_LogsInThere()
    {
        _host.Vault.EnableAppRole("ci/approle");
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy(), mount: "ci/approle");
        var file = _host.Files.Write("secret-id", secretId);
        var source = _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdFile: file, mountPath: "/ci/approle/"));

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Requests.Should().Contain(r => r.Path == "auth/ci/approle/login");
    }

    [Fact]
    public async Task FetchAsync_WrongSecretId_ThrowsNamingTheFileButNeverTheSecret()
    {
        _host.Vault.EnableAppRole();
        var (roleId, _) = _host.Vault.AddAppRole(new TokenPolicy());
        var wrong = "test-wrong-secret-id-" + Guid.NewGuid();
        var file = _host.Files.Write("secret-id", wrong);
        var source = _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdFile: file));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("Vault refused the AppRole login at auth/approle/login (HTTP 400: invalid role or secret ID)")
            .And.Contain($"the secret_id in the file {file}");
        _host.ShouldNotLeakSecrets(exception, wrong, roleId);
    }

    [Fact]
    public async Task FetchAsync_SecretIdFileMissing_ThrowsNamingTheFile()
    {
        var missing = Path.Combine(_host.Files.Path, "no-such-secret-id");
        var source = _host.CreateSource("openai", o => o.UseAppRole("some-role-id", secretIdFile: missing));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain($"Cannot read the Vault secret_id: the file {missing} does not exist");
        _host.Server.Requests.Should().BeEmpty("nothing is sent without a secret_id");
    }

    [Fact]
    public async Task FetchAsync_LoginRateLimited_ThrowsTransient()
    {
        _host.Vault.EnableAppRole();
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy());
        var file = _host.Files.Write("secret-id", secretId);
        _host.Server.Inject(r => r.Path == "auth/approle/login", 429, """{"errors":["rate limit quota exceeded"]}""", headers: ("Retry-After", "3"));
        var source = _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdFile: file));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.RetryAfter.Should().Be(TimeSpan.FromSeconds(3));
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key, "the next fetch logs in");
    }

    [Fact]
    public async Task FetchAsync_Namespace_LoginAndReadCarryTheNamespace()
    {
        _host.Vault.EnableKv(ns: "org/team");
        _host.Vault.PutKey("openai", Key, ns: "org/team");
        _host.Vault.EnableAppRole(ns: "org/team");
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy(), ns: "org/team");
        var file = _host.Files.Write("secret-id", secretId);
        var source = _host.CreateSource("openai", o =>
        {
            o.Namespace = "org/team";
            o.UseAppRole(roleId, secretIdFile: file);
        });

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Requests.Should().HaveCount(2).And.OnlyContain(r => r.Namespace == "org/team");
    }
}
