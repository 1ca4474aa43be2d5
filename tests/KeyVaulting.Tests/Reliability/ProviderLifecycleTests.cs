using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Reliability;

public class ProviderLifecycleTests
{
    [Fact]
    public async Task StartAsync_HostStoppedWhileStoreHangs_StartupCancelsAndNothingRunsAfterDisposal()
    {
        var time = new FakeTimeProvider();
        var source = new MutableKeySource();
        source.SetValue(TestKeys.Project());
        source.Block();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOpenAIKeyProvider().AddSource(source);
        var host = builder.Build();
        using var cancel = new CancellationTokenSource();

        var start = host.StartAsync(cancel.Token);
        await Until(() => source.FetchCount == 1);
        await cancel.CancelAsync();

        var act = () => start.WaitAsync(TimeSpan.FromSeconds(10));
        await act.Should().ThrowAsync<OperationCanceledException>();
        var provider = (OpenAIKeyProvider)host.Services.GetRequiredService<IOpenAIKeyProvider>();
        await ((IAsyncDisposable)host).DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        source.Release();
        time.Advance(TimeSpan.FromHours(1));

        source.FetchCount.Should().Be(1);
        provider.GetStatus().NextRefreshAt.Should().BeNull();
        var after = async () => await provider.GetKeyAsync();
        await after.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task BackgroundRefresh_FailsWithNobodyWaiting_RaisesNoUnobservedTaskException()
    {
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.InnerExceptions.Any(x => x is OpenAIKeyUnavailableException or OpenAIKeySourceException))
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
            await RunFailingBackgroundRefreshesAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        unobserved.Should().BeEmpty();
    }

    [Fact]
    public async Task Dispose_Twice_IsHarmless()
    {
        var h = new ProviderHarness();
        h.Source.SetValue(TestKeys.Project());
        await h.Provider.GetKeyAsync();

        h.Provider.Dispose();
        h.Provider.Dispose();
        await h.Provider.DisposeAsync();
        await h.DisposeAsync();

        h.Provider.GetStatus().NextRefreshAt.Should().BeNull();
    }

    [Fact]
    public async Task DisposeAsync_SourcesItCreated_AreDisposedButAppInstancesAreNot()
    {
        var created = new DisposableSource("Memory:created");
        var passedIn = new DisposableSource("Memory:passed-in");
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(_ => created).AddSource(passedIn);
        var sp = services.BuildServiceProvider();
        _ = sp.GetRequiredService<IOpenAIKeyProvider>();

        await sp.DisposeAsync();

        created.DisposeCount.Should().Be(1, "the provider owns what its factories created, and disposes it once");
        passedIn.DisposeCount.Should().Be(0, "an instance the application passed in stays the application's");
    }

    [Fact]
    public async Task BackgroundRefresh_UnexpectedExceptionWhileApplyingResult_KeepsRefreshScheduled()
    {
        var time = new FakeTimeProvider();
        var source = new MutableKeySource();
        source.SetValue(TestKeys.Project());
        var throwing = new ThrowOnceLoggerProvider(eventId: 1); // "key loaded" throws the first time
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddLogging(b => b.AddProvider(throwing));
        services.AddOpenAIKeyProvider().AddSource(source);
        await using var sp = services.BuildServiceProvider();
        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();

        var first = async () => await provider.GetKeyAsync();
        await first.Should().ThrowAsync<InvalidOperationException>().WithMessage("logger failure");
        provider.GetStatus().NextRefreshAt.Should().NotBeNull("a failure of any kind schedules the next attempt");
        time.Advance(TimeSpan.FromMinutes(5));
        await provider.PendingRead.WaitAsync(TimeSpan.FromSeconds(10));

        source.FetchCount.Should().Be(2);
        (await provider.GetKeyAsync()).Value.Should().Be(TestKeys.Project());
    }

    private static async Task RunFailingBackgroundRefreshesAsync()
    {
        await using var h = new ProviderHarness(o => o.LoadOnStartup = false);
        h.Source.SetFailure();
        var act = async () => await h.Provider.GetKeyAsync();
        await act.Should().ThrowAsync<OpenAIKeyUnavailableException>();
        for (var i = 0; i < 5; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromMinutes(6)); // timer-started reads fail with nobody awaiting them
        }

        h.Source.FetchCount.Should().Be(6);
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

    private sealed class DisposableSource(string name) : IOpenAIKeySource, IAsyncDisposable
    {
        private int _disposeCount;

        public string Name { get; } = name;

        public int DisposeCount => Volatile.Read(ref _disposeCount);

        public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
            => new(OpenAIKeySourceResult.NotFound("empty"));

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _disposeCount);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowOnceLoggerProvider(int eventId) : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        private int _thrown;

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId && Interlocked.Exchange(ref _thrown, 1) == 0)
            {
                throw new InvalidOperationException("logger failure");
            }
        }

        public void Dispose()
        {
        }
    }
}
