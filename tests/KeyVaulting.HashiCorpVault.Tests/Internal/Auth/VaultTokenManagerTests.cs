using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Auth;

/// <summary>The token lifecycle, driven by the fake clock: renewal, login again, and one replacement per rejection.</summary>
public sealed class VaultTokenManagerTests : IAsyncLifetime
{
    private static readonly string Key = TestKeys.Project('L');
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private int Logins => _host.Server.Count("auth/approle/login", "POST");

    private int Renewals => _host.Server.Count("auth/token/renew-self", "POST");

    private int Lookups => _host.Server.Count("auth/token/lookup-self", "GET");

    private List<RecordedRequest> Reads => [.. _host.Server.Requests.Where(r => r.Path == "secret/data/openai")];

    [Fact]
    public async Task FetchAsync_RenewableToken_RenewsOnceTwoThirdsOfItsTtlHavePassed()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromMinutes(30) });
        await FetchKeyAsync(source);

        _host.Time.Advance(TimeSpan.FromMinutes(19));
        await FetchKeyAsync(source);
        Renewals.Should().Be(0, "less than two thirds of the TTL has passed");

        _host.Time.Advance(TimeSpan.FromMinutes(2));
        await FetchKeyAsync(source);
        Renewals.Should().Be(1);

        // Past the first token's original expiry: it lives on because it was renewed.
        _host.Time.Advance(TimeSpan.FromMinutes(25));
        await FetchKeyAsync(source);

        Renewals.Should().Be(2);
        Logins.Should().Be(1);
        Reads.Select(r => r.Token).Distinct().Should().ContainSingle("renewal keeps the same token");
        _host.Logs.GetSnapshot().Where(r => r.Id.Id == 313).Should().HaveCount(2);
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_RenewalRefused_LogsInAgain()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromMinutes(30) });
        await FetchKeyAsync(source);
        _host.Vault.RefuseRenewals = true;

        _host.Time.Advance(TimeSpan.FromMinutes(21));
        await FetchKeyAsync(source);

        Renewals.Should().Be(1);
        Logins.Should().Be(2);
        Reads.Select(r => r.Token).Distinct().Should().HaveCount(2);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 314 && r.Message.Contains("lease is not renewable"));
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_RenewalCappedByMaxTtl_LogsInAgainBeforeTheTokenDies()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromMinutes(30), MaxTtl = TimeSpan.FromMinutes(45) });
        await FetchKeyAsync(source);

        _host.Time.Advance(TimeSpan.FromMinutes(21));
        await FetchKeyAsync(source);
        Renewals.Should().Be(1, "the renewal is granted, capped at the max TTL (24 minutes left)");
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 320 && r.Message.Contains("max_ttl"));

        _host.Time.Advance(TimeSpan.FromMinutes(17));
        await FetchKeyAsync(source);

        Renewals.Should().Be(1, "renewing a capped token only shrinks it");
        Logins.Should().Be(2);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 318);
    }

    [Fact]
    public async Task FetchAsync_NonRenewableToken_LogsInAgainAheadOfExpiry()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromMinutes(30), Renewable = false });
        await FetchKeyAsync(source);

        _host.Time.Advance(TimeSpan.FromMinutes(21));
        await FetchKeyAsync(source);

        Renewals.Should().Be(0);
        Logins.Should().Be(2);
    }

    [Fact]
    public async Task FetchAsync_TokenExpiredBetweenFetches_LogsInAgainWithoutUsingTheExpiredToken()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromMinutes(10) });
        await FetchKeyAsync(source);

        _host.Time.Advance(TimeSpan.FromMinutes(11));
        await FetchKeyAsync(source);

        Logins.Should().Be(2);
        Renewals.Should().Be(0, "an expired token cannot be renewed");
        Reads.Should().HaveCount(2, "the expired token was never sent");
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 316);
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_TokenRevoked_LogsInOnceAndRetriesTheRead()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromHours(1) });
        await FetchKeyAsync(source);
        _host.Vault.RevokeAllTokens();

        await FetchKeyAsync(source);

        Logins.Should().Be(2);
        Reads.Should().HaveCount(3, "the rejected read, then one retry with the new token");
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 317);
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_NewTokenRejectedToo_LogsInExactlyOnceThenThrows()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromHours(1) });
        _host.Server.Inject(
            r => r.Path == "secret/data/openai",
            403,
            """{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}""",
            times: 100);

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        Logins.Should().Be(2, "the first login, and exactly one more after the rejection: never a loop");
        Reads.Should().HaveCount(2);
        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("even after getting a new one");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task FetchAsync_PolicyDeniesRead_DoesNotLogInAgain()
    {
        var source = AppRoleSource(new TokenPolicy { Read = ["secret/data/elsewhere"] });

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("'read' capability on 'secret/data/openai'").And.Contain("AppRole auth (auth/approle)");
        Logins.Should().Be(1, "the token is valid (it can look itself up): the policy is the problem");
        Lookups.Should().Be(1);
    }

    [Fact]
    public async Task FetchAsync_RenewalFailsTransiently_KeepsUsingTheTokenAndRetriesNextFetch()
    {
        var source = AppRoleSource(new TokenPolicy { Ttl = TimeSpan.FromMinutes(30) });
        await FetchKeyAsync(source);
        _host.Server.Inject(r => r.Path == "auth/token/renew-self", 503, """{"errors":["Vault is sealed"]}""");

        _host.Time.Advance(TimeSpan.FromMinutes(21));
        await FetchKeyAsync(source);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 315);

        _host.Time.Advance(TimeSpan.FromMinutes(1));
        await FetchKeyAsync(source);

        Renewals.Should().Be(2);
        Logins.Should().Be(1);
    }

    [Fact]
    public async Task FetchAsync_ConcurrentFetches_LogInOnce()
    {
        var source = AppRoleSource(new TokenPolicy());

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => FetchKeyAsync(source)));

        Logins.Should().Be(1);
    }

    [Fact]
    public async Task FetchAsync_GivenRenewableToken_LooksUpItsTtlAndRenewsIt()
    {
        var token = _host.SeedKeyAndToken(Key, new TokenPolicy { Ttl = TimeSpan.FromMinutes(30), Read = ["secret/data/openai"] });
        var source = _host.CreateSource("openai", o => o.UseToken(token));
        await FetchKeyAsync(source);
        Lookups.Should().Be(1);

        _host.Time.Advance(TimeSpan.FromMinutes(21));
        await FetchKeyAsync(source);

        Renewals.Should().Be(1);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 311 && r.Message.Contains("the value given in code"));
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_TokenWithoutTtl_IsNeverRenewed()
    {
        var token = _host.SeedKeyAndToken(Key, new TokenPolicy { Ttl = TimeSpan.Zero });
        var source = _host.CreateSource("openai", o => o.UseToken(token));
        await FetchKeyAsync(source);

        _host.Time.Advance(TimeSpan.FromDays(100));
        await FetchKeyAsync(source);

        Renewals.Should().Be(0);
        Lookups.Should().Be(1);
    }

    [Fact]
    public async Task FetchAsync_GivenTokenRevoked_ThrowsOnceSayingItCannotBeReplaced()
    {
        var token = _host.SeedKeyAndToken(Key);
        var source = _host.CreateSource("openai", o => o.UseToken(token));
        _host.Vault.RevokeToken(token);

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("expired or was revoked").And.Contain("A token given in code cannot be replaced");
        Reads.Should().HaveCount(1, "the same token would be rejected again");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task FetchAsync_TokenFileRewritten_UsesTheNewTokenAfterTheOldOneIsRejected()
    {
        var first = _host.SeedKeyAndToken(Key);
        var file = _host.Files.Write("agent-token", first);
        var source = _host.CreateSource("openai", o => o.UseTokenFile(file));
        await FetchKeyAsync(source);

        _host.Vault.RevokeToken(first);
        var second = _host.Vault.CreateToken();
        _host.Files.Write("agent-token", second + "\n");
        await FetchKeyAsync(source);

        Reads.Select(r => r.Token).Should().Equal(first, first, second);
        _host.ShouldNotLeakSecrets();
    }

    private HashiCorpVaultKeySource AppRoleSource(TokenPolicy policy)
    {
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", Key);
        _host.Vault.EnableAppRole();
        var (roleId, secretId) = _host.Vault.AddAppRole(policy);
        var file = _host.Files.Write("secret-id", secretId + "\n");
        return _host.CreateSource("openai", o => o.UseAppRole(roleId, secretIdFile: file));
    }

    private static async Task FetchKeyAsync(HashiCorpVaultKeySource source)
        => (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
}
