using KeyVaulting.HashiCorpVault.Internal.OpenAI;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.OpenAI;

/// <summary>The dynamic key of Vault's OpenAI secrets plugin: one read, renewals, a new read before the lease ends, revocation.</summary>
public sealed class VaultOpenAICredentialSourceTests : IAsyncLifetime
{
    private const string Role = "my-app";
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task FetchAsync_FirstRead_MintsOnceAndServesTheKeyWithItsKeyIdAndLeaseEnd()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1) });

        var result = await source.FetchAsync(CancellationToken.None);

        var lease = _host.Vault.Leases.Should().ContainSingle().Subject;
        result.IsFound.Should().BeTrue();
        result.Value.Should().Be(lease.ApiKey);
        result.Version.Should().Be(lease.ApiKeyId, "the version names the key by its id, never by its value");
        result.ExpiresAt.Should().Be(_host.Time.GetUtcNow() + TimeSpan.FromHours(1));
        source.Name.Should().Be("HashiCorpVault:openai/creds/my-app");
        _host.Server.Count("openai/creds/my-app", "GET").Should().Be(1);
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_RefreshesWithinTheLease_DoNotMintOrRenew()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1) });
        var first = await source.FetchAsync(CancellationToken.None);

        for (var i = 0; i < 7; i++)
        {
            _host.Time.Advance(TimeSpan.FromMinutes(5));
            var again = await source.FetchAsync(CancellationToken.None);
            again.Value.Should().Be(first.Value);
            again.ExpiresAt.Should().Be(first.ExpiresAt);
        }

        _host.Vault.Leases.Should().ContainSingle("35 minutes are less than two thirds of the lease");
        _host.Server.Count("openai/creds/").Should().Be(1);
        _host.Server.Count("sys/leases/").Should().Be(0);
    }

    [Fact]
    public async Task FetchAsync_TwoThirdsOfTheTtlPassed_RenewsTheLeaseBeforeItsEnd()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1), MaxTtl = TimeSpan.FromHours(24) });
        var first = await source.FetchAsync(CancellationToken.None);

        _host.Time.Advance(TimeSpan.FromMinutes(41));
        var renewed = await source.FetchAsync(CancellationToken.None);

        var lease = _host.Vault.Leases.Should().ContainSingle("a renewal keeps the credential").Subject;
        lease.Renewals.Should().Be(1);
        lease.IsLive.Should().BeTrue();
        renewed.Value.Should().Be(first.Value);
        renewed.Version.Should().Be(first.Version);
        renewed.ExpiresAt.Should().Be(_host.Time.GetUtcNow() + TimeSpan.FromHours(1), "the key's expiry follows the renewed lease");
        _host.Server.Count("sys/leases/renew", "PUT").Should().Be(1);
        _host.Server.Count("openai/creds/").Should().Be(1);
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_LeaseNotRenewable_ReadsANewCredentialBeforeItsEndAndKeepsTheOldOneLive()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1), Renewable = false });
        var first = await source.FetchAsync(CancellationToken.None);

        _host.Time.Advance(TimeSpan.FromMinutes(41));
        var second = await source.FetchAsync(CancellationToken.None);

        var leases = _host.Vault.Leases;
        leases.Should().HaveCount(2);
        second.Value.Should().Be(leases[1].ApiKey).And.NotBe(first.Value);
        second.Version.Should().Be(leases[1].ApiKeyId);
        leases[0].IsLive.Should().BeTrue("in-flight requests may still use the old key until its lease ends");
        _host.Server.Count("sys/leases/renew").Should().Be(0, "Vault said the lease is not renewable");
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_RenewalCappedByMaxTtl_ReadsANewCredentialBeforeTheMaxTtl()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1), MaxTtl = TimeSpan.FromMinutes(90) });
        var first = await source.FetchAsync(CancellationToken.None);

        _host.Time.Advance(TimeSpan.FromMinutes(41));
        var capped = await source.FetchAsync(CancellationToken.None);
        capped.Value.Should().Be(first.Value);
        capped.ExpiresAt.Should().Be(first.ExpiresAt!.Value.AddMinutes(30), "Vault capped the renewal at the max TTL");

        _host.Time.Advance(TimeSpan.FromMinutes(34));
        var replaced = await source.FetchAsync(CancellationToken.None);

        var leases = _host.Vault.Leases;
        leases.Should().HaveCount(2);
        leases[0].IsLive.Should().BeTrue("the new credential is read before the old lease ends");
        leases[0].Renewals.Should().Be(1, "a capped lease is not renewed again");
        replaced.Value.Should().Be(leases[1].ApiKey);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 342);
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_LeaseRevokedInVault_ReadsANewCredentialAtTheRenewal()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1) });
        var first = await source.FetchAsync(CancellationToken.None);
        _host.Vault.RevokeLease(_host.Vault.Leases[0].LeaseId);

        _host.Time.Advance(TimeSpan.FromMinutes(41));
        var second = await source.FetchAsync(CancellationToken.None);

        _host.Vault.Leases.Should().HaveCount(2);
        second.Value.Should().Be(_host.Vault.Leases[1].ApiKey).And.NotBe(first.Value);
        var warning = _host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 343).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("HTTP 400").And.Contain(first.Version!);
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_RenewalDeniedByThePolicy_ReadsANewCredentialKeepsTheOldOneLiveAndNamesTheFix()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1) }, new TokenPolicy { Ttl = TimeSpan.Zero, Read = ["openai/creds/my-app"], Write = ["sys/leases/revoke"] });
        var first = await source.FetchAsync(CancellationToken.None);

        _host.Time.Advance(TimeSpan.FromMinutes(41));
        var second = await source.FetchAsync(CancellationToken.None);

        var leases = _host.Vault.Leases;
        leases.Should().HaveCount(2, "a denied renewal is replaced by a new credential before the lease ends");
        second.Value.Should().Be(leases[1].ApiKey).And.NotBe(first.Value);
        leases[0].IsLive.Should().BeTrue("denied is not gone: requests in flight with the old key keep working until its end");
        var warning = _host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 343).Subject;
        warning.Message.Should().Contain("HTTP 403").And.Contain("needs 'update' on sys/leases/renew").And.Contain(first.Version!);

        await source.DisposeAsync();
        leases.Should().OnlyContain(l => l.EndedBy == "revoke", "the old lease is revoked with the new one on disposal");
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_RenewalFailsTransiently_KeepsServingTheKeyAndRenewsOnTheNextRefresh()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1), MaxTtl = TimeSpan.FromHours(24) });
        var first = await source.FetchAsync(CancellationToken.None);
        _host.Server.Inject(r => r.Path == "sys/leases/renew", 503, "{\"errors\":[\"Vault is sealed\"]}");

        _host.Time.Advance(TimeSpan.FromMinutes(41));
        var during = await source.FetchAsync(CancellationToken.None);

        during.Value.Should().Be(first.Value, "a Vault outage does not cost the key whose lease is still running");
        during.ExpiresAt.Should().Be(first.ExpiresAt, "the lease was not extended");
        var warning = _host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 344).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("keeps serving the key").And.Contain(first.Version!);

        _host.Time.Advance(TimeSpan.FromMinutes(1));
        var after = await source.FetchAsync(CancellationToken.None);

        after.Value.Should().Be(first.Value);
        after.ExpiresAt.Should().Be(_host.Time.GetUtcNow() + TimeSpan.FromHours(1), "the next refresh renewed the lease");
        _host.Vault.Leases.Should().ContainSingle().Which.Renewals.Should().Be(1);
        _host.Server.Count("sys/leases/renew", "PUT").Should().Be(2);
        _host.Server.Count("openai/creds/").Should().Be(1, "no new credential was read");
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_LeaseExpiredBetweenRefreshes_ReadsANewCredential()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1) });
        var first = await source.FetchAsync(CancellationToken.None);

        _host.Time.Advance(TimeSpan.FromMinutes(61));
        var second = await source.FetchAsync(CancellationToken.None);

        _host.Vault.Leases.Should().HaveCount(2);
        _host.Vault.Leases[0].EndedBy.Should().Be("expiry");
        second.Value.Should().NotBe(first.Value);
        _host.Server.Count("sys/leases/renew").Should().Be(0, "an ended lease is not renewed");
    }

    [Fact]
    public async Task DisposeAsync_AfterAReplacement_RevokesEveryLiveLease()
    {
        var source = CreateSource(new OpenAIRole { Ttl = TimeSpan.FromHours(1), Renewable = false });
        await source.FetchAsync(CancellationToken.None);
        _host.Time.Advance(TimeSpan.FromMinutes(41));
        await source.FetchAsync(CancellationToken.None);

        await source.DisposeAsync();

        _host.Vault.Leases.Should().HaveCount(2).And.OnlyContain(l => l.EndedBy == "revoke");
        _host.Server.Count("sys/leases/revoke", "PUT").Should().Be(2);
        _host.Logs.GetSnapshot().Count(r => r.Id.Id == 345).Should().Be(2);
        ShouldNotLeak();
    }

    [Fact]
    public async Task DisposeAsync_RevocationDenied_LogsTheFixWithoutTheLease()
    {
        var source = CreateSource(new OpenAIRole(), new TokenPolicy { Read = ["openai/creds/my-app"] });
        await source.FetchAsync(CancellationToken.None);

        await source.DisposeAsync();

        _host.Vault.Leases.Single().IsLive.Should().BeTrue();
        var warning = _host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 346).Subject;
        warning.Message.Should().Contain("sys/leases/revoke").And.Contain("HTTP 403");
        ShouldNotLeak();
    }

    [Fact]
    public async Task FetchAsync_ReadDenied_NamesThePolicyWithoutLeaking()
    {
        var source = CreateSource(new OpenAIRole(), new TokenPolicy { Read = ["secret/data/openai"] });

        var exception = await FluentActions.Awaiting(() => source.FetchAsync(CancellationToken.None).AsTask())
            .Should().ThrowAsync<OpenAIKeySourceException>();

        exception.Which.Message.Should().Contain("'read' on 'openai/creds/my-app'").And.Contain("sys/leases/renew").And.Contain("sys/leases/revoke");
        exception.Which.IsTransient.Should().BeFalse();
        _host.ShouldNotLeakSecrets(exception.Which);
    }

    private VaultOpenAICredentialSource CreateSource(OpenAIRole role, TokenPolicy? policy = null)
    {
        _host.Vault.EnableOpenAI("openai", new Dictionary<string, OpenAIRole> { [Role] = role });
        var token = _host.Vault.CreateToken(policy ?? new TokenPolicy { Ttl = TimeSpan.Zero, Read = ["openai/creds/my-app"], Write = ["sys/leases/renew", "sys/leases/revoke"] });
        return _host.CreateOpenAISource(Role, o => o.UseToken(token));
    }

    /// <summary>Neither a key nor a lease id (which can revoke the key) appears in any log line.</summary>
    private void ShouldNotLeak() => _host.ShouldNotLeakSecrets(more: [.. _host.Vault.Leases.Select(l => l.LeaseId)]);
}
