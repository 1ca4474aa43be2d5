using System.Net;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.HashiCorpVault.Tests.DependencyInjection;

/// <summary><c>services.AddOpenAIKeyProvider().AddHashiCorpVault(...)</c>, end to end through the provider.</summary>
public sealed class HashiCorpVaultOpenAIKeyProviderBuilderExtensionsTests : IAsyncLifetime
{
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await VaultTestHost.StartAsync();
        _host.Vault.EnableKv();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AddHashiCorpVault_NewVersionWritten_ProviderServesItAfterTheNextRefresh()
    {
        _host.Vault.PutKey("openai", TestKeys.Numbered(1));
        _host.Vault.EnableAppRole();
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy { Ttl = TimeSpan.FromMinutes(30), Read = ["secret/data/openai"] });
        var secretIdFile = _host.Files.Write("secret-id", secretId);
        var services = _host.BuildServices(s => s
            .AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromMinutes(5))
            .AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseAppRole(roleId, secretIdFile: secretIdFile);
            }));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        var first = await provider.GetKeyAsync();
        first.Value.Should().Be(TestKeys.Numbered(1));
        first.Version.Should().Be("1");
        first.Source.Should().Be("HashiCorpVault:secret/openai");

        // Rotation: write a new version; the provider picks it up on its next background refresh.
        _host.Vault.PutKey("openai", TestKeys.Numbered(2));
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
        _host.Time.Advance(TimeSpan.FromMinutes(6));
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var second = await provider.GetKeyAsync();
        second.Value.Should().Be(TestKeys.Numbered(2));
        second.Version.Should().Be("2");
        _host.Server.Count("auth/approle/login").Should().Be(1);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 2 && r.Message.Contains("(version: 2)"), "the core logs the rotation");
        _host.ShouldNotLeakSecrets(more: roleId);
    }

    [Fact]
    public async Task AddHashiCorpVault_SecretMissing_FallsThroughToTheNextSource()
    {
        var token = _host.Vault.CreateToken();
        var fallback = new MutableKeySource("Memory:fallback");
        fallback.SetValue(TestKeys.Project('M'));
        var services = _host.BuildServices(s => s
            .AddOpenAIKeyProvider()
            .AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            })
            .AddSource(fallback));

        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Source.Should().Be("Memory:fallback");
    }

    [Fact]
    public async Task AddHashiCorpVault_VaultSealedAfterTheFirstLoad_KeepsServingTheLastKnownGoodKey()
    {
        var token = _host.Vault.CreateToken();
        _host.Vault.PutKey("openai", TestKeys.Project('G'));
        var fallback = new MutableKeySource("Memory:dev");
        fallback.SetValue(TestKeys.Project('D'));
        var services = _host.BuildServices(s => s
            .AddOpenAIKeyProvider()
            .AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            })
            .AddSource(fallback));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        (await provider.GetKeyAsync()).Value.Should().Be(TestKeys.Project('G'));
        _host.Server.Inject(r => r.Path == "secret/data/openai", 503, """{"errors":["Vault is sealed"]}""", times: 10);

        _host.Time.Advance(TimeSpan.FromSeconds(10));
        var key = await provider.RefreshAsync();

        key.Value.Should().Be(TestKeys.Project('G'), "a failure stops the chain: an outage never switches to another key");
        fallback.FetchCount.Should().Be(0);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3 && r.Message.Contains("Vault is sealed"));
    }

    [Fact]
    public async Task AddHashiCorpVault_HttpClientFactoryRegistered_UsesTheNamedClient()
    {
        var token = _host.Vault.CreateToken();
        _host.Vault.PutKey("openai", TestKeys.Project());
        var counter = new CountingHandler();
        var services = _host.BuildServices(s =>
        {
            s.AddHttpClient(HashiCorpVaultKeySourceOptions.HttpClientName).AddHttpMessageHandler(() => counter);
            s.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            });
        });

        await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        counter.Count.Should().Be(2, "the token lookup and the read went through the application's named client");
    }

    [Fact]
    public async Task AddHashiCorpVault_AppRegistersHttpClientFactoryAndTraceLogging_LogsNeitherTokenNorKey()
    {
        var key = TestKeys.Project('T');
        var token = _host.Vault.CreateToken();
        _host.Vault.PutKey("openai", key);
        var services = _host.BuildServices(s =>
        {
            s.AddHttpClient();
            s.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            });
        });

        (await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync()).Value.Should().Be(key);

        var records = _host.Logs.GetSnapshot();
        records.Should().Contain(r => r.Id.Id == 303 && r.Message.Contains("IHttpClientFactory"), "the fetch went through the factory's named client");
        _host.Server.Requests.Should().Contain(r => r.Token == token, "the token was sent, so it could have been logged");
        _host.Logs.ShouldNotContainSecrets(token, key);
    }

    [Fact]
    public async Task AddHashiCorpVault_HttpClientFactoryRegisteredAndVaultRedirects_DoesNotSendTheTokenToTheTarget()
    {
        await using var target = await FakeVaultServer.StartAsync(_host.Time);
        var token = _host.Vault.CreateToken();
        _host.Vault.PutKey("openai", TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", 307, string.Empty, times: 1, ("Location", new Uri(target.Address, "/v1/secret/data/openai").ToString()));
        var services = _host.BuildServices(s =>
        {
            s.AddHttpClient();
            s.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            });
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeyUnavailableException>(() => services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask());

        target.Requests.Should().BeEmpty("the redirect is not followed, so the token never reaches its target");
        exception.Message.Should().Contain("HTTP 307").And.Contain("set Address (or VAULT_ADDR) to the active node or to the load balancer");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task AddHashiCorpVault_AppSetsAProxyHandlerAndVaultRedirects_DoesNotSendTheTokenToTheTarget()
    {
        await using var target = await FakeVaultServer.StartAsync(_host.Time);
        var token = _host.Vault.CreateToken();
        _host.Vault.PutKey("openai", TestKeys.Project());
        _host.Server.Inject(r => r.Path == "secret/data/openai", 307, string.Empty, times: 1, ("Location", new Uri(target.Address, "/v1/secret/data/openai").ToString()));
        var services = _host.BuildServices(s =>
        {
            s.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            });

            // The documented way to add a proxy, after AddHashiCorpVault: a new handler, which follows redirects by default.
            s.AddHttpClient(HashiCorpVaultKeySourceOptions.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { Proxy = new WebProxy("http://proxy.example.test:3128") { BypassProxyOnLocal = true } });
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeyUnavailableException>(() => services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask());

        target.Requests.Should().BeEmpty("the redirect is not followed, so X-Vault-Token never reaches its target");
        exception.Message.Should().Contain("with a redirect (HTTP 307)");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task AddHashiCorpVault_AppSetsAPrimaryHandlerThatCannotBeChecked_FailsWithoutSendingTheToken()
    {
        var token = _host.Vault.CreateToken();
        _host.Vault.PutKey("openai", TestKeys.Project());
        var services = _host.BuildServices(s =>
        {
            s.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o =>
            {
                o.Address = _host.Server.Address;
                o.UseToken(token);
            });
            s.AddHttpClient(HashiCorpVaultKeySourceOptions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new OpaqueHandler());
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeyUnavailableException>(() => services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask());

        exception.Message.Should().Contain("primary handler (OpaqueHandler)").And.Contain("cannot turn off redirects");
        _host.Server.Requests.Should().BeEmpty("a client that might follow a redirect with the token is refused, not used");
    }

    [Fact]
    public void AddHashiCorpVault_RegistersTheConfigurationFactory()
    {
        var services = new ServiceCollection();

        services.AddOpenAIKeyProvider().AddHashiCorpVault("openai", o => o.Address = new Uri("https://vault.example.test"));

        services.Should().Contain(d => d.ServiceType == typeof(IOpenAIKeySourceFactory) && d.ImplementationType == typeof(HashiCorpVaultKeySourceFactory));
    }

    [Fact]
    public void AddHashiCorpVault_InvalidOptions_ThrowsListingEveryProblem()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var action = () => builder.AddHashiCorpVault("openai", o =>
        {
            o.KvVersion = 1;
            o.Version = 2;
            o.JsonField = " ";
        });

        action.Should().Throw<ArgumentException>()
            .WithMessage("HashiCorpVault:secret/openai is not configured correctly: JsonField is empty*Version is set but KvVersion is 1*");
    }

    [Fact]
    public void AddHashiCorpVault_KeyPastedAsPath_ThrowsForThePathWithoutRepeatingIt()
    {
        var key = TestKeys.Project('V');
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var action = () => builder.AddHashiCorpVault(key);

        var exception = action.Should().Throw<ArgumentException>().WithParameterName("path").Which;
        exception.Message.Should().Contain("looks like an OpenAI key");
        exception.ShouldNotContainSecrets(key);
    }

    [Fact]
    public void AddHashiCorpVault_AddressWithUserInformation_ThrowsWithoutRepeatingIt()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var action = () => builder.AddHashiCorpVault("openai", o => o.Address = new Uri($"https://vault-admin:{password}@vault.example.test:8200"));

        var exception = action.Should().Throw<ArgumentException>().WithMessage("*Address contains user information (user:password@)*").Which;
        exception.ShouldNotContainSecrets(password, "vault-admin");
    }

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    public void AddHashiCorpVault_UnusablePath_ThrowsForThePath(string path)
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var action = () => builder.AddHashiCorpVault(path);

        action.Should().Throw<ArgumentException>().WithParameterName("path");
    }

    /// <summary>A primary handler KeyVaulting knows nothing about: it cannot tell whether it follows redirects.</summary>
    private sealed class OpaqueHandler : DelegatingHandler
    {
        public OpaqueHandler()
            : base(new SocketsHttpHandler())
        {
        }
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
