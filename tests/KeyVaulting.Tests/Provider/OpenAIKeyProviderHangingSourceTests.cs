using System.Diagnostics;
using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A source that ignores its cancellation token and never answers (a store client without timeouts, a read blocked
/// on a named pipe) must not take the provider down: every fetch is bounded by <c>SourceTimeout</c> on the
/// provider's clock, whatever the source does.
/// </summary>
public sealed class OpenAIKeyProviderHangingSourceTests
{
    private static readonly TimeSpan SourceTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Fact]
    public async Task GetKeyAsync_SourceIgnoresCancellationAndNeverAnswers_FailsAfterSourceTimeout()
    {
        await using var app = new App(new ControlledKeySource());

        var get = app.Provider.GetKeyAsync().AsTask();
        _ = await app.Source.NextFetchAsync();
        app.Time.Advance(SourceTimeout);

        var error = (await FluentActions.Awaiting(() => get.WaitAsync(Bound)).Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        error.Message.Should().Contain("Memory:controlled: failed (Memory:controlled did not answer within 00:00:30 (SourceTimeout)");
        error.InnerException.Should().BeOfType<OpenAIKeySourceException>().Which.IsTransient.Should().BeTrue("a store that did not answer in time may answer the next read");
    }

    [Fact]
    public async Task RefreshAsync_WithoutTokenWhileSourceNeverAnswers_ReturnsLastKnownGoodAfterSourceTimeout()
    {
        await using var app = new App(new ControlledKeySource());
        var load = app.Provider.GetKeyAsync().AsTask();
        (await app.Source.NextFetchAsync()).Found(KeyA);
        await load.WaitAsync(Bound);
        app.Time.Advance(TimeSpan.FromSeconds(10)); // past MinimumRefreshInterval

        var refresh = app.Provider.RefreshAsync().AsTask(); // no token: it must end on its own
        _ = await app.Source.NextFetchAsync();
        app.Time.Advance(SourceTimeout);

        (await refresh.WaitAsync(Bound)).Value.Should().Be(KeyA);
        app.Provider.GetStatus().LastError.Should().Contain("did not answer within 00:00:30 (SourceTimeout)");
    }

    [Fact]
    public async Task Timer_AfterSourceHung_BackgroundRefreshGoesOnWithoutCallingTheHungSourceAgainUntilItAnswers()
    {
        await using var app = new App(new ControlledKeySource());
        var load = app.Provider.GetKeyAsync().AsTask();
        (await app.Source.NextFetchAsync()).Found(KeyA);
        await load.WaitAsync(Bound);

        app.Time.Advance(TimeSpan.FromMinutes(6)); // the periodic read starts and hangs
        var hung = await app.Source.NextFetchAsync();
        app.Time.Advance(SourceTimeout);
        await app.Provider.PendingRead.WaitAsync(Bound);
        app.Provider.GetStatus().ConsecutiveFailures.Should().Be(1);
        app.Provider.GetStatus().NextRefreshAt.Should().NotBeNull("the background refresh goes on");

        app.Time.Advance(TimeSpan.FromSeconds(2)); // the retry: it waits for the abandoned fetch, within SourceTimeout
        await Until(() => app.Logs.GetSnapshot().Any(r => r.Id.Id == 16));
        app.Time.Advance(SourceTimeout);
        await app.Provider.PendingRead.WaitAsync(Bound);
        app.Source.FetchCount.Should().Be(2, "a source is never called while an abandoned fetch of it is still running");
        app.Provider.GetStatus().ConsecutiveFailures.Should().Be(2);
        app.Provider.GetStatus().LastError.Should().Contain("has not ended a fetch abandoned after 00:00:30 (SourceTimeout)");

        app.Source.AnswerAtOnce = () => OpenAIKeySourceResult.Found(KeyB);
        hung.Fail(new InvalidOperationException("late failure nobody waits for"));
        await Until(() => app.Logs.GetSnapshot().Any(r => r.Id.Id == 15)); // the provider saw the abandoned fetch end
        await app.AdvanceAsync(TimeSpan.FromSeconds(3)); // the next retry (2 s ± 20%)

        app.Source.FetchCount.Should().Be(3, "once the abandoned fetch has ended, the source is called again");
        (await app.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
        app.Provider.GetStatus().ConsecutiveFailures.Should().Be(0);
    }

    [Fact]
    public async Task Timer_SourceHonoursCancellationLate_NextReadWaitsForItAndCallsItAgain()
    {
        await using var app = new App(new ControlledKeySource());
        var load = app.Provider.GetKeyAsync().AsTask();
        (await app.Source.NextFetchAsync()).Found(KeyA);
        await load.WaitAsync(Bound);
        app.Time.Advance(TimeSpan.FromMinutes(6));
        var slow = await app.Source.NextFetchAsync();
        app.Time.Advance(SourceTimeout);
        await app.Provider.PendingRead.WaitAsync(Bound);

        app.Source.AnswerAtOnce = () => OpenAIKeySourceResult.Found(KeyB);
        app.Time.Advance(TimeSpan.FromSeconds(2)); // the retry starts while the timed-out fetch is still ending
        await Until(() => app.Logs.GetSnapshot().Any(r => r.Id.Id == 16));
        slow.Fail(new OperationCanceledException()); // it honours its token, late
        await app.Provider.PendingRead.WaitAsync(Bound);

        app.Source.FetchCount.Should().Be(3);
        (await app.Provider.GetKeyAsync()).Value.Should().Be(KeyB);
    }

    [Fact]
    public async Task GetKeyAsync_SourceBlocksItsThreadReadingANamedPipe_FailsAfterSourceTimeout()
    {
        using var temp = new Sources.DotEnv.TempDirectory();
        var pipe = temp.PathOf("token");
        await MakeFifoAsync(pipe);
        var source = new NamedPipeKeySource(pipe);
        await using var app = new App(source);
        try
        {
            var get = app.Provider.GetKeyAsync().AsTask();
            await Until(() => source.FetchCount == 1);
            app.Time.Advance(SourceTimeout);

            var error = (await FluentActions.Awaiting(() => get.WaitAsync(Bound)).Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
            error.Message.Should().Contain("did not answer within 00:00:30 (SourceTimeout)");
        }
        finally
        {
            // Release the thread stuck in open(): a writer that closes at once gives the reader an end of file.
            await Task.Run(() => new FileStream(pipe, FileMode.Open, FileAccess.Write).Dispose()).WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task DisposeAsync_ReadInFlightOnASourceThatNeverAnswers_ReleasesWaitersAtOnceAndEndsWithinSourceTimeout()
    {
        var app = new App(new ControlledKeySource());
        var waiting = app.Provider.GetKeyAsync().AsTask();
        _ = await app.Source.NextFetchAsync();

        var disposal = app.DisposeAsync().AsTask(); // what host shutdown does

        await FluentActions.Awaiting(() => waiting.WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>();
        app.Time.Advance(SourceTimeout - TimeSpan.FromSeconds(1));
        await Task.Yield();
        disposal.IsCompleted.Should().BeFalse("a source that is still inside its SourceTimeout gets the chance to end");
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await disposal.WaitAsync(Bound);
    }

    [Fact]
    public async Task Dispose_ReadInFlightOnASourceThatNeverAnswers_ReturnsWithinSourceTimeout()
    {
        var app = new App(new ControlledKeySource());
        _ = app.Provider.GetKeyAsync().AsTask();
        _ = await app.Source.NextFetchAsync();

        var disposal = Task.Run(app.Dispose); // the synchronous path: ServiceProvider.Dispose()

        await AdvanceUntilAsync(app.Time, disposal);
    }

    [Fact]
    public async Task DisposeAsync_OwnedSourceWhoseDisposalNeverEnds_EndsWithinSourceTimeout()
    {
        var source = new NeverDisposedKeySource();
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddFakeLogging();
        services.AddOpenAIKeyProvider(o => o.SourceTimeout = SourceTimeout).AddSource(_ => source);
        var sp = services.BuildServiceProvider();
        var logs = sp.GetFakeLogCollector();
        (await sp.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync()).Value.Should().Be(KeyA);

        var disposal = sp.DisposeAsync().AsTask();
        await Until(() => source.DisposalStarted);

        await AdvanceUntilAsync(time, disposal);
        logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 14, "the operator learns which source was left behind")
            .Which.Message.Should().Contain("stopped waiting for").And.Contain("00:00:30 (SourceTimeout)");
    }

    [Fact]
    public async Task AbandonedFetch_FailsLaterWithNobodyWaiting_RaisesNoUnobservedTaskException()
    {
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.ToString().Contains(nameof(AbandonedFetch_FailsLaterWithNobodyWaiting_RaisesNoUnobservedTaskException), StringComparison.Ordinal))
            {
                lock (unobserved)
                {
                    unobserved.Add(e.Exception);
                }
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await AbandonAFetchThatFailsLaterAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        unobserved.Should().BeEmpty();
    }

    private static async Task AbandonAFetchThatFailsLaterAsync()
    {
        await using var app = new App(new ControlledKeySource());
        var get = app.Provider.GetKeyAsync().AsTask();
        var fetch = await app.Source.NextFetchAsync();
        app.Time.Advance(SourceTimeout);
        await FluentActions.Awaiting(() => get.WaitAsync(Bound)).Should().ThrowAsync<OpenAIKeyUnavailableException>();

        fetch.Fail(new InvalidOperationException(nameof(AbandonedFetch_FailsLaterWithNobodyWaiting_RaisesNoUnobservedTaskException)));
        await FluentActions.Awaiting(() => fetch.Answer.WaitAsync(Bound)).Should().ThrowAsync<InvalidOperationException>();
    }

    /// <summary>Lets fake time pass, a second at a time, until <paramref name="task"/> ends; fails past SourceTimeout.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task task)
    {
        var start = time.GetUtcNow();
        var deadline = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            deadline.Elapsed.Should().BeLessThan(Bound, "the task should end once SourceTimeout has passed");
            if (time.GetUtcNow() - start < SourceTimeout + TimeSpan.FromSeconds(5))
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }

            await Task.Yield();
        }

        await task;
        (time.GetUtcNow() - start).Should().BeLessThanOrEqualTo(SourceTimeout + TimeSpan.FromSeconds(5));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            deadline.Elapsed.Should().BeLessThan(Bound, "the condition should become true");
            await Task.Yield();
        }
    }

    private static async Task MakeFifoAsync(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        await mkfifo.WaitForExitAsync().WaitAsync(Bound);
        mkfifo.ExitCode.Should().Be(0);
    }

    /// <summary>An application with one provider over one source, fake time and fake logging.</summary>
    private sealed class App : IAsyncDisposable, IDisposable
    {
        private readonly ServiceProvider _services;

        public App(IOpenAIKeySource source)
        {
            Source = source as ControlledKeySource ?? new ControlledKeySource();
            var services = new ServiceCollection().AddSingleton<TimeProvider>(Time);
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging();
            services.AddOpenAIKeyProvider(o => o.SourceTimeout = SourceTimeout).AddSource(source);
            _services = services.BuildServiceProvider();
            Provider = (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();
            Logs = _services.GetFakeLogCollector();
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

        public ControlledKeySource Source { get; }

        public FakeLogCollector Logs { get; }

        public OpenAIKeyProvider Provider { get; }

        public async Task AdvanceAsync(TimeSpan by)
        {
            Time.Advance(by);
            await Provider.PendingRead.WaitAsync(Bound);
        }

        // Bounded: a provider that hangs on disposal fails the test instead of hanging it.
        public ValueTask DisposeAsync() => new(_services.DisposeAsync().AsTask().WaitAsync(Bound));

        public void Dispose() => _services.Dispose();
    }

    /// <summary>A source that reads its key from a file with a blocking call: a named pipe blocks it in open().</summary>
    private sealed class NamedPipeKeySource(string path) : IOpenAIKeySource
    {
        private int _fetchCount;

        public string Name => "NamedPipe:token";

        public int FetchCount => Volatile.Read(ref _fetchCount);

        public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _fetchCount);
            var text = File.ReadAllText(path); // blocks this thread, whatever the token says
            return new(string.IsNullOrWhiteSpace(text) ? OpenAIKeySourceResult.NotFound("empty") : OpenAIKeySourceResult.Found(text));
        }
    }

    /// <summary>A source the provider owns whose disposal never ends.</summary>
    private sealed class NeverDisposedKeySource : IOpenAIKeySource, IAsyncDisposable
    {
        private volatile bool _disposalStarted;

        public string Name => "Memory:never-disposed";

        public bool DisposalStarted => _disposalStarted;

        public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
            => new(OpenAIKeySourceResult.Found(KeyA));

        public ValueTask DisposeAsync()
        {
            _disposalStarted = true;
            return new(new TaskCompletionSource().Task);
        }
    }
}
