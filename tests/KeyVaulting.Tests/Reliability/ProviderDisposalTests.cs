using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Reliability;

/// <summary>
/// Disposal (host shutdown): it waits for the read in flight before disposing the sources the provider owns, releases
/// every waiter with <see cref="ObjectDisposedException"/>, and refuses calls afterwards; both Dispose and DisposeAsync.
/// </summary>
public class ProviderDisposalTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispose_ReadInFlightOnAnOwnedSource_WaitsForTheReadThenDisposesTheSource(bool asynchronously)
    {
        var source = new SlowToCancelSource();
        await using var app = new App(source);
        var waiting = app.Provider.GetKeyAsync().AsTask();
        await source.FetchStarted.WaitAsync(Bound);

        var disposal = asynchronously ? app.Provider.DisposeAsync().AsTask() : Task.Run(app.Provider.Dispose);
        await source.CancellationSeen.WaitAsync(Bound);
        await FluentActions.Awaiting(() => waiting.WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>("waiters are released at once");
        for (var i = 0; i < 20; i++)
        {
            await Task.Yield();
        }

        disposal.IsCompleted.Should().BeFalse("the read in flight has not ended");
        source.DisposeCount.Should().Be(0, "a source is not disposed under a fetch that is still running");
        source.EndFetch();
        await disposal.WaitAsync(Bound);

        source.DisposeCount.Should().Be(1);
        source.DisposedWhileFetching.Should().BeFalse();
    }

    [Fact]
    public async Task DisposeAsync_OwnedSourceThatIsOnlyIDisposable_IsDisposed()
    {
        var source = new SyncDisposableSource();
        await using var app = new App(source);
        (await app.Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Project());

        await app.Provider.DisposeAsync();

        source.DisposeCount.Should().Be(1);
    }

    [Fact]
    public async Task DisposeAsync_ForcedReadQueuedBehindTheReadInFlight_ReleasesItsCallersWithObjectDisposed()
    {
        await using var h = new ProviderHarness(o => o.SourceTimeout = TimeSpan.FromMinutes(10));
        h.Source.SetValue(TestKeys.Project());
        await h.Provider.GetKeyAsync();
        h.Source.Block();
        h.Time.Advance(TimeSpan.FromMinutes(6)); // the periodic read starts and waits for the store
        await Until(() => h.Source.FetchCount == 2);
        var queued = h.Provider.RefreshAsync().AsTask(); // queued behind it: the periodic read may predate a rotation

        await h.Provider.DisposeAsync().AsTask().WaitAsync(Bound);

        await FluentActions.Awaiting(() => queued.WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>();
        h.Source.FetchCount.Should().Be(2, "the queued read never starts");
    }

    [Fact]
    public async Task AfterDisposal_EveryCallThatWouldReadThrowsObjectDisposed()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(TestKeys.Project());
        var key = await h.Provider.GetKeyAsync();

        await h.Provider.DisposeAsync();

        h.Provider.IsDisposed.Should().BeTrue();
        await FluentActions.Awaiting(async () => await h.Provider.RefreshAsync()).Should().ThrowAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(async () => await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None)).Should().ThrowAsync<ObjectDisposedException>();
        h.Provider.GetStatus().NextRefreshAt.Should().BeNull();
        h.Time.Advance(TimeSpan.FromHours(1));
        h.Source.FetchCount.Should().Be(1, "the timer is stopped");
    }

    [Fact]
    public async Task DisposeAsync_ColdProviderNeverRead_ThrowsObjectDisposedOnTheFirstRead()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(TestKeys.Project());

        await h.Provider.DisposeAsync();

        await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<ObjectDisposedException>();
        h.Source.FetchCount.Should().Be(0);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Environment.TickCount64.Should().BeLessThan(deadline, "the condition should become true");
            await Task.Yield();
        }
    }

    /// <summary>An application whose provider owns its one source (created by a factory), on fake time.</summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        public App(IOpenAIKeySource source)
        {
            var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider());
            services.AddOpenAIKeyProvider(o => o.SourceTimeout = TimeSpan.FromMinutes(1)).AddSource(_ => source);
            _services = services.BuildServiceProvider();
            Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
        }

        public OpenAIKeyProvider Provider { get; }

        public ValueTask DisposeAsync() => new(_services.DisposeAsync().AsTask().WaitAsync(Bound));
    }

    /// <summary>
    /// A store client that honours cancellation but takes its time to wind down: its fetch ends only when the test
    /// says so. Records whether it was disposed while a fetch was still running.
    /// </summary>
    private sealed class SlowToCancelSource : IOpenAIKeySource, IAsyncDisposable
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancellationSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _fetching;
        private int _disposeCount;

        public string Name => "Memory:slow-to-cancel";

        public Task FetchStarted => _started.Task;

        public Task CancellationSeen => _cancellationSeen.Task;

        public int DisposeCount => Volatile.Read(ref _disposeCount);

        public bool DisposedWhileFetching { get; private set; }

        public void EndFetch() => _end.TrySetResult();

        public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
        {
            _fetching = true;
            try
            {
                _started.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                _cancellationSeen.TrySetResult();
                await _end.Task;
                cancellationToken.ThrowIfCancellationRequested();
                return OpenAIKeySourceResult.NotFound("cancelled");
            }
            finally
            {
                _fetching = false;
            }
        }

        public ValueTask DisposeAsync()
        {
            DisposedWhileFetching |= _fetching;
            Interlocked.Increment(ref _disposeCount);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A source the provider owns that has only a synchronous Dispose.</summary>
    private sealed class SyncDisposableSource : IOpenAIKeySource, IDisposable
    {
        private int _disposeCount;

        public string Name => "Memory:sync-disposable";

        public int DisposeCount => Volatile.Read(ref _disposeCount);

        public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
            => new(OpenAIKeySourceResult.Found(TestKeys.Project()));

        public void Dispose() => Interlocked.Increment(ref _disposeCount);
    }
}
