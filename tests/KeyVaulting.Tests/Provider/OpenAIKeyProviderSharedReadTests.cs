using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// One read at a time, shared: callers that arrive while a read is in flight share it or the one read queued behind
/// it, every one of them gets an answer (a key or the error), and sharing a read never counts as a forced read that
/// would hold back the next <see cref="IOpenAIKeyProvider.RefreshAsync"/>.
/// </summary>
public class OpenAIKeyProviderSharedReadTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GetKeyAsync_SecondCallerDuringTheFirstLoad_SharesItWithoutHoldingBackTheNextRefresh()
    {
        await using var app = new ControlledProvider();
        var first = app.Provider.GetKeyAsync().AsTask();
        var fetch = await app.Source.NextFetchAsync();
        var second = app.Provider.GetKeyAsync().AsTask();
        fetch.Found(KeyA);
        (await first.WaitAsync(Bound)).Value.Should().Be(KeyA);
        (await second.WaitAsync(Bound)).Value.Should().Be(KeyA);
        app.Source.FetchCount.Should().Be(1, "the second caller shared the first load");

        // The store is rotated at once: no forced read has happened yet, so MinimumRefreshInterval holds nothing back.
        var refresh = app.Provider.RefreshAsync().AsTask();
        (await app.Source.NextFetchAsync()).Found(KeyB);

        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB);
    }

    [Fact]
    public async Task RefreshAsync_QueuedBehindAFirstLoadThatFails_GetsTheErrorInsteadOfWaitingForever()
    {
        await using var app = new ControlledProvider();
        var load = app.Provider.GetKeyAsync().AsTask();
        var fetch = await app.Source.NextFetchAsync();
        var refresh = app.Provider.RefreshAsync().AsTask();

        fetch.Fail(new OpenAIKeySourceException(app.Source.Name, "the vault is sealed", isTransient: true));

        var loadError = (await FluentActions.Awaiting(() => load.WaitAsync(Bound)).Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        var refreshError = (await FluentActions.Awaiting(() => refresh.WaitAsync(Bound)).Should().ThrowAsync<OpenAIKeyUnavailableException>(
            "the forced read queued behind a failed read shares its outcome: a store that has just failed is not read again at once")).Which;
        refreshError.Should().NotBeSameAs(loadError, "one exception object is never thrown on two threads");
        refreshError.Message.Should().Be(loadError.Message);
        app.Source.FetchCount.Should().Be(1);
    }

    [Fact]
    public async Task RefreshAsync_PastMinimumRefreshIntervalWhileAForcedReadIsInFlight_SharesItRatherThanQueueingAnother()
    {
        await using var app = new ControlledProvider();
        await app.LoadAsync(KeyA);
        app.Time.Advance(TimeSpan.FromMinutes(7)); // the periodic read (every 5 minutes, jittered) starts
        var periodic = await app.Source.NextFetchAsync();
        var queued = app.Provider.RefreshAsync().AsTask(); // queued behind it: it may have started before a rotation

        periodic.Found(KeyA); // unchanged: the queued forced read runs
        var forced = await app.Source.NextFetchAsync();
        app.Time.Advance(TimeSpan.FromSeconds(6)); // past MinimumRefreshInterval (5 s) since that forced read was asked for
        var late = app.Provider.RefreshAsync().AsTask();
        forced.Found(KeyA);

        (await queued.WaitAsync(Bound)).Value.Should().Be(KeyA);
        (await late.WaitAsync(Bound)).Value.Should().Be(KeyA, "a forced read in flight already answers a forced caller");
        app.Source.HasWaitingFetch.Should().BeFalse();
        app.Source.FetchCount.Should().Be(3, "the first load, the periodic read and one forced read");
    }

    [Fact]
    public async Task SourceChanged_WhileAReadIsInFlightWithARefreshQueued_OneReadFollowsAndEveryCallerIsAnswered()
    {
        await using var app = new ControlledProvider();
        await app.LoadAsync(KeyA);
        app.Time.Advance(TimeSpan.FromMinutes(7));
        var periodic = await app.Source.NextFetchAsync();
        var refresh = app.Provider.RefreshAsync().AsTask();

        app.Provider.OnSourceChanged(); // a .env save while the periodic read runs
        app.Provider.OnSourceChanged();
        periodic.Found(KeyA);
        var following = await app.Source.NextFetchAsync();
        following.AnsweredBefore.Should().Be(1, "the read for the change follows the read in flight, never runs beside it");
        following.Found(KeyB);

        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyB, "the caller queued before the change shares the read that follows");
        (await app.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
        app.Source.HasWaitingFetch.Should().BeFalse();
        app.Source.FetchCount.Should().Be(3, "the first load, the periodic read and one read for the refresh and both changes");
    }

    [Fact]
    public async Task DisposeAsync_BetweenTwoSourcesOfTheChain_TheNextSourceIsNotRead()
    {
        var first = new ControlledKeySource("Memory:first");
        var second = new MutableKeySource("Memory:second");
        second.SetValue(KeyA);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddOpenAIKeyProvider().AddSource(first).AddSource(second);
        var sp = services.BuildServiceProvider();
        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();
        var load = provider.GetKeyAsync().AsTask();
        var fetch = await first.NextFetchAsync();

        var disposal = provider.DisposeAsync().AsTask();
        await FluentActions.Awaiting(() => load.WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>();
        fetch.NotFound("nothing here"); // the first source ends its fetch after the disposal, without a key
        await disposal.WaitAsync(Bound);
        await sp.DisposeAsync().AsTask().WaitAsync(Bound);

        second.FetchCount.Should().Be(0, "a disposed provider reads no further source");
    }
}
