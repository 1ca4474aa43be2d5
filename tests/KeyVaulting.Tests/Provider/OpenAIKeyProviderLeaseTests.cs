using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// What a re-read that finds the same value does: a new lease (expiry) is served without counting as a rotation, a key
/// the store says has expired is served with a warning, and an unchanged key changes nothing.
/// </summary>
public class OpenAIKeyProviderLeaseTests
{
    private static readonly string KeyA = TestKeys.Project('A');

    [Fact]
    public async Task Refresh_SameValueWithANewExpiry_ServesTheNewLeaseWithoutARotation()
    {
        await using var h = new ProviderHarness();
        var now = h.Time.GetUtcNow();
        h.Source.SetValue(KeyA, "v1", expiresAt: now.AddHours(1));
        await h.Provider.GetKeyAsync();
        var token = h.Provider.GetChangeToken();
        h.Source.SetValue(KeyA, "v1", expiresAt: now.AddHours(2));
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));

        var key = await h.Provider.RefreshAsync();

        key.ExpiresAt.Should().Be(now.AddHours(2));
        (await h.Provider.GetKeyAsync()).ExpiresAt.Should().Be(now.AddHours(2));
        token.HasChanged.Should().BeFalse("the same key with a new lease is not a rotation");
        h.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 2);
    }

    [Fact]
    public async Task Refresh_SameValueAndLease_KeepsServingTheSameObject()
    {
        await using var h = new ProviderHarness();
        var expiry = h.Time.GetUtcNow().AddHours(1);
        h.Source.SetValue(KeyA, "v1", expiresAt: expiry);
        var first = await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));

        var again = await h.Provider.RefreshAsync();

        again.Should().BeSameAs(first);
    }

    [Fact]
    public async Task GetKeyAsync_StoreSaysTheKeyHasExpired_ServesItAndWarns()
    {
        await using var h = new ProviderHarness();
        var expired = h.Time.GetUtcNow().AddMinutes(-1);
        h.Source.SetValue(KeyA, expiresAt: expired);

        var key = await h.Provider.GetKeyAsync();

        key.Value.Should().Be(KeyA);
        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 10).Which.Message.Should().Contain("sk-proj-…AAAA").And.Contain("Memory:source1");
        h.Provider.GetStatus().NextRefreshAt.Should().Be(h.Time.GetUtcNow().AddSeconds(1), "an expired key is re-read after the one-second floor");
    }

    [Fact]
    public async Task GetKeyAsync_KeyExpiringExactlyNow_IsReportedExpired()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, expiresAt: h.Time.GetUtcNow());

        await h.Provider.GetKeyAsync();

        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 10);
    }

    [Fact]
    public async Task GetKeyAsync_KeyValidForAnHour_IsNotReportedExpired()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, expiresAt: h.Time.GetUtcNow().AddHours(1));

        await h.Provider.GetKeyAsync();

        h.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 10);
    }
}
