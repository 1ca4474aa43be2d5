using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.HashiCorpVault.Tests.DependencyInjection;

/// <summary><c>SecretEngine: OpenAI</c> end to end through the provider: the plugin's key, its lease, its revocation.</summary>
public sealed class HashiCorpVaultOpenAIEngineTests : IAsyncLifetime
{
    private const string Section = "KeyVaulting:Sources:Vault";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AddHashiCorpVault_LeaseNotRenewable_ProviderReadsAheadOfEachLeaseEndRotatesWithoutAGapAndRevokesOnDisposal()
    {
        var token = EnableOpenAI(new OpenAIRole { Ttl = TimeSpan.FromHours(1), Renewable = false });
        var services = _host.BuildServices(s => s
            .AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromHours(24))
            .AddHashiCorpVault("my-app", o =>
            {
                o.SecretEngine = "OpenAI";
                o.Address = _host.Server.Address;
                o.UseToken(token);
            }));
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        var key = await provider.GetKeyAsync().AsTask().WaitAsync(Bound);

        for (var cycle = 1; cycle <= 3; cycle++)
        {
            // Only the lease's end schedules the next read (RefreshInterval is a day): the provider reads at 80% of it.
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            provider.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
            _host.Time.Advance(TimeSpan.FromMinutes(49));
            await changed.Task.WaitAsync(Bound);

            var previous = key;
            key = await provider.GetKeyAsync().AsTask().WaitAsync(Bound);
            var leases = _host.Vault.Leases;
            leases.Should().HaveCount(cycle + 1);
            key.Value.Should().Be(leases[^1].ApiKey);
            key.Version.Should().Be(leases[^1].ApiKeyId);
            key.ExpiresAt.Should().Be(leases[^1].ExpiresAt, "the key expires with its lease");
            leases.Single(l => l.ApiKey == previous.Value).IsLive.Should().BeTrue("the new key is served before the old lease ends: no gap");
        }

        _host.Server.Count("openai/creds/my-app").Should().Be(4, "one credential per lease, never one per refresh");

        await services.DisposeAsync();

        var ended = _host.Vault.Leases;
        ended.Should().OnlyContain(l => !l.IsLive);
        ended[^1].EndedBy.Should().Be("revoke", "disposal revokes the lease in use, so Vault deletes its service account");
        ended[^2].EndedBy.Should().Be("revoke", "and the replaced lease that was still live");
        _host.ShouldNotLeakSecrets(more: [.. ended.Select(l => l.LeaseId)]);
    }

    [Fact]
    public async Task AddOpenAIKeyProvider_ConfigurationSelectsTheOpenAIEngine_ServesTheMintedKey()
    {
        var token = EnableOpenAI(new OpenAIRole());
        var tokenFile = _host.Files.Write("vault-token", token);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyVaulting:Chain"] = "Vault",
            [$"{Section}:Type"] = "HashiCorpVault",
            [$"{Section}:SecretEngine"] = "OpenAI",
            [$"{Section}:Path"] = "my-app",
            [$"{Section}:Address"] = _host.Server.Address.ToString(),
            [$"{Section}:TokenFile"] = tokenFile,
        }).Build();

        var services = _host.BuildServices(s => s.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting")));
        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask().WaitAsync(Bound);

        var lease = _host.Vault.Leases.Should().ContainSingle().Subject;
        key.Value.Should().Be(lease.ApiKey);
        key.Version.Should().Be(lease.ApiKeyId);
        key.Source.Should().Be("HashiCorpVault:openai/creds/my-app");
        _host.ShouldNotLeakSecrets(more: lease.LeaseId);
    }

    [Theory]
    [InlineData("SecretEngine", "Dynamic", "*SecretEngine must be 'KV'*or 'OpenAI'*")]
    [InlineData("JsonField", "key", "*JsonField is set but SecretEngine is OpenAI*unset JsonField*")]
    [InlineData("Version", "3", "*Version is set but SecretEngine is OpenAI*")]
    public void AddOpenAIKeyProvider_SettingThatDoesNotFitTheEngine_ThrowsNamingTheSettingAndTheFix(string setting, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyVaulting:Chain"] = "Vault",
            [$"{Section}:Type"] = "HashiCorpVault",
            [$"{Section}:SecretEngine"] = "OpenAI",
            [$"{Section}:Path"] = "my-app",
            [$"{Section}:Address"] = _host.Server.Address.ToString(),
            [$"{Section}:{setting}"] = value,
        }).Build();
        var services = _host.BuildServices(s => s.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting")));

        var action = () => services.GetRequiredService<IOpenAIKeyProvider>();

        action.Should().Throw<Exception>().Where(e => Flatten(e).Any(m => Matches(m, message)));
    }

    [Fact]
    public void CreateTarget_OpenAIEngine_ThrowsSayingThePluginRotatesItsOwnKeys()
    {
        var action = () => HashiCorpVaultRotation.CreateTarget(_host.Services, "my-app", o =>
        {
            o.SecretEngine = "OpenAI";
            o.Address = _host.Server.Address;
        });

        action.Should().Throw<ArgumentException>().WithMessage("*SecretEngine is OpenAI*unset SecretEngine*");
    }

    private static IEnumerable<string> Flatten(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
        }
    }

    private static bool Matches(string text, string pattern)
        => System.Text.RegularExpressions.Regex.IsMatch(
            text,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
            System.Text.RegularExpressions.RegexOptions.Singleline);

    private string EnableOpenAI(OpenAIRole role)
    {
        _host.Vault.EnableOpenAI("openai", new Dictionary<string, OpenAIRole> { ["my-app"] = role });
        return _host.Vault.CreateToken(new TokenPolicy { Ttl = TimeSpan.Zero, Read = ["openai/creds/my-app"], Write = ["sys/leases/renew", "sys/leases/revoke"] });
    }
}
