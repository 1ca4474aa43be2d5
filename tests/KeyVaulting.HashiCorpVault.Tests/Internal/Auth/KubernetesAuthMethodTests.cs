using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Auth;

/// <summary>Kubernetes login: <c>POST /v1/auth/{mount}/login</c> with a role and the pod's service-account JWT.</summary>
public sealed class KubernetesAuthMethodTests : IAsyncLifetime
{
    private static readonly string Key = TestKeys.Project('K');
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await VaultTestHost.StartAsync();
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", Key);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task FetchAsync_JwtFileAndCustomMount_LogsInWithTheRoleAndReadsTheKey()
    {
        _host.Vault.EnableKubernetes("k8s-prod");
        var jwt = _host.Vault.AddKubernetesRole("openai-reader", new TokenPolicy { Read = ["secret/data/openai"] }, mount: "k8s-prod");
        var jwtPath = _host.Files.Write("token", jwt);
        var source = _host.CreateSource("openai", o => o.UseKubernetes("openai-reader", jwtPath, mountPath: "k8s-prod"));

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(Key);
        _host.Server.Requests.Select(r => r.Path).Should().Equal("auth/k8s-prod/login", "secret/data/openai");
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 310 && r.Message.Contains("Kubernetes auth, role 'openai-reader' (auth/k8s-prod)"));
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_ServiceAccountTokenRotated_NextLoginReadsTheFileAgain()
    {
        _host.Vault.EnableKubernetes();
        var first = _host.Vault.AddKubernetesRole("openai-reader", new TokenPolicy { Ttl = TimeSpan.FromMinutes(10), Renewable = false });
        var jwtPath = _host.Files.Write("token", first);
        var source = _host.CreateSource("openai", o => o.UseKubernetes("openai-reader", jwtPath));
        await source.FetchAsync(CancellationToken.None);

        // The kubelet rotates the projected token; Vault now accepts only the new one.
        var second = _host.Vault.AddKubernetesRole("openai-reader", new TokenPolicy { Ttl = TimeSpan.FromMinutes(10), Renewable = false });
        _host.Files.Write("token", second);
        _host.Time.Advance(TimeSpan.FromMinutes(8));

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Count("auth/kubernetes/login").Should().Be(2);
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_JwtFileMissing_ThrowsNamingThePathAndTheFix()
    {
        var missing = Path.Combine(_host.Files.Path, "serviceaccount", "token");
        var source = _host.CreateSource("openai", o => o.UseKubernetes("openai-reader", missing));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain($"the file {missing} does not exist").And.Contain("automountServiceAccountToken");
    }

    [Fact]
    public async Task FetchAsync_RoleNotBoundToThisServiceAccount_ThrowsNamingTheRole()
    {
        _host.Vault.EnableKubernetes();
        _host.Vault.AddKubernetesRole("openai-reader", new TokenPolicy());
        var otherJwt = $"test-jwt-other.{Guid.NewGuid():N}.{Guid.NewGuid():N}";
        var jwtPath = _host.Files.Write("token", otherJwt);
        var source = _host.CreateSource("openai", o => o.UseKubernetes("openai-reader", jwtPath));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("Vault refused the Kubernetes login at auth/kubernetes/login (HTTP 403: permission denied)")
            .And.Contain("the role 'openai-reader' exists at auth/kubernetes");
        _host.ShouldNotLeakSecrets(exception, otherJwt);
    }
}
