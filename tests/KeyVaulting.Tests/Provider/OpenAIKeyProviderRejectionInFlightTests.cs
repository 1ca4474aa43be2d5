using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A 401 that arrives while a read is in flight: a periodic read may have started before the store was updated, so
/// one read follows it (shared with a refresh already queued); a forced read in flight already answers the 401. And
/// while a key is rejected, a lease that ends sooner than the rejection's next read is still re-read on time.
/// </summary>
public class OpenAIKeyProviderRejectionInFlightTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RecoverAsync_401DuringAPeriodicReadWithARefreshQueued_JoinsTheReadThatFollowsAndGetsTheNewKey()
    {
        await using var app = new ControlledProvider();
        var key = await app.LoadAsync(KeyA);
        app.Time.Advance(TimeSpan.FromMinutes(7)); // the periodic read starts
        var periodic = await app.Source.NextFetchAsync();
        var refresh = app.Provider.RefreshAsync().AsTask(); // queued behind it
        app.Time.Advance(TimeSpan.FromSeconds(2)); // the 401 comes more than a second after that refresh was asked for

        var recovery = app.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None).AsTask();
        periodic.Found(KeyA); // the periodic read started before the store was updated
        var following = await app.Source.NextFetchAsync();
        following.Found(KeyB);

        (await recovery.WaitAsync(Bound)).Value.Should().Be(KeyB, "the read that follows finds the key written after the periodic read began");
        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB, "the refresh queued before the 401 shares that one read");
        app.Source.HasWaitingFetch.Should().BeFalse();
        app.Source.FetchCount.Should().Be(3, "the first load, the periodic read and one read for the refresh and the 401");
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 30).Which.Message.Should().Be(
            $"OpenAI rejected key {key.Fingerprint} of OpenAI key provider 'default' from Memory:controlled (error invalid_api_key), and no source holds a newer key. " +
            "Until one does, or a request succeeds with this key, the health check reports Unhealthy and the sources are re-read now, then every second, backing off to every 00:00:05.");
    }

    [Fact]
    public async Task RecoverAsync_401DuringAForcedRead_SharesItWithoutReadingAgain()
    {
        await using var app = new ControlledProvider();
        var key = await app.LoadAsync(KeyA);
        app.Time.Advance(TimeSpan.FromSeconds(10));
        var refresh = app.Provider.RefreshAsync().AsTask();
        var forced = await app.Source.NextFetchAsync();
        app.Time.Advance(TimeSpan.FromSeconds(2)); // more than a second into that read

        var recovery = app.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None).AsTask();
        forced.Found(KeyB);

        (await recovery.WaitAsync(Bound)).Value.Should().Be(KeyB, "a forced read already started after the 401's request was sent");
        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB);
        app.Source.HasWaitingFetch.Should().BeFalse();
        app.Source.FetchCount.Should().Be(2);
    }

    [Fact]
    public async Task RecoverAsync_BeforeTheFirstKeyIsLoaded_SharesTheFirstLoad()
    {
        await using var app = new ControlledProvider();
        var load = app.Provider.GetKeyAsync().AsTask();
        var first = await app.Source.NextFetchAsync();

        var recovery = app.Provider.RecoverAsync(new OpenAIKey(KeyA, "elsewhere"), "invalid_api_key", CancellationToken.None).AsTask();
        first.Found(KeyB);

        (await recovery.WaitAsync(Bound)).Value.Should().Be(KeyB);
        (await load.WaitAsync(Bound)).Value.Should().Be(KeyB);
        app.Source.FetchCount.Should().Be(1);
        app.Source.HasWaitingFetch.Should().BeFalse();
    }

    [Fact]
    public async Task RecoverAsync_WithNothingLoadedOrInFlight_ReadsAndCountsAsAForcedRead()
    {
        await using var h = new ProviderHarness();
        h.Source.SetFailure();
        await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetValue(KeyA);

        (await h.Provider.RecoverAsync(new OpenAIKey(KeyB, "elsewhere"), "invalid_api_key", CancellationToken.None)).Value.Should().Be(KeyA);
        var fetches = h.Source.FetchCount;
        await h.Provider.RefreshAsync();

        h.Source.FetchCount.Should().Be(fetches, "forced reads are spaced by MinimumRefreshInterval, and the 401's read was one");
    }

    [Fact]
    public async Task Rejected_LeaseEndsSoonerThanTheNextRejectionRead_NextReadComesAtTheLease()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA, expiresAt: h.Time.GetUtcNow().AddHours(1));
        var key = await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetValue(KeyA, expiresAt: h.Time.GetUtcNow().AddSeconds(1)); // renewed by the store with a lease of a second

        (await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None)).Should().Be(key);

        h.Provider.IsKeyRejected().Should().BeTrue();
        h.Provider.GetStatus().NextRefreshAt.Should().Be(h.Time.GetUtcNow().AddSeconds(1),
            "the lease (renewed at 80% of its second, never sooner than a second) comes before the rejection's next read (a second, plus up to 10%)");
    }
}
