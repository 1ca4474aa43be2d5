using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Http;

/// <summary>What the HTTP layer does with Vault's answers: size cap, non-JSON bodies, headers.</summary>
public sealed class VaultClientTests : IAsyncLifetime
{
    private VaultTestHost _host = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _host = await VaultTestHost.StartAsync();
        _token = _host.SeedKeyAndToken(TestKeys.Project());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SendAsync_AnswerLargerThan256KiB_ThrowsWithoutReadingItAll()
    {
        var huge = "{\"data\":{\"data\":{\"api_key\":\"" + new string('x', 260 * 1024) + "\"},\"metadata\":{\"version\":1}}}";
        _host.Server.Inject(r => r.Path == "secret/data/openai", 200, huge);
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("is larger than 256 KiB, the most KeyVaulting reads");
    }

    [Fact]
    public async Task SendAsync_AnswerIsNotJson_ThrowsNamingTheContentType()
    {
        _host.Server.Inject(r => r.Path == "secret/data/openai", 200, "<html>login portal</html>");
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("is not JSON").And.Contain("Check that Address points at Vault's API");
    }

    [Fact]
    public async Task SendAsync_ProxyErrorPageWith502_ThrowsTransientWithTheStatus()
    {
        _host.Server.Inject(r => r.Path == "secret/data/openai", 502, "<html>Bad Gateway</html>");
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeTrue();
        exception.Message.Should().Contain("(HTTP 502)");
    }

    [Theory]
    [InlineData(307)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(308)]
    public async Task SendAsync_VaultRedirects_ThrowsTransientWithoutSendingTheTokenToTheTarget(int status)
    {
        await using var target = await FakeVaultServer.StartAsync(_host.Time);
        var location = new Uri(target.Address, "/v1/secret/data/openai").ToString();
        _host.Server.Inject(r => r.Path == "secret/data/openai", status, string.Empty, times: 1, ("Location", location));
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        target.Requests.Should().BeEmpty("a redirect is never followed: HttpClient would carry X-Vault-Token to its target");
        exception.SourceName.Should().Be("HashiCorpVault:secret/openai");
        exception.IsTransient.Should().BeTrue("a standby node may become active, or the load balancer may route elsewhere");
        exception.Message.Should().NotStartWith("HashiCorpVault:secret/openai", "the provider puts the source's name in front of the message")
            .And.Contain($"HTTP {status}")
            .And.Contain(target.Address.GetLeftPart(UriPartial.Authority))
            .And.Contain("set Address (or VAULT_ADDR) to the active node or to the load balancer");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task SendAsync_AddressWithPathPrefix_KeepsThePrefix()
    {
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(_token);
            o.Address = new Uri(_host.Server.Address, "/vault-proxy");
        });

        await source.FetchAsync(CancellationToken.None);

        _host.Server.Requests.Should().Contain(r => r.Path == "/vault-proxy/v1/auth/token/lookup-self");
    }
}
