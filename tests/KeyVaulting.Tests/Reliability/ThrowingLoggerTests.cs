using KeyVaulting.Testing;
using KeyVaulting.Tests.Provider;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Tests.Reliability;

/// <summary>
/// A logging provider that throws (a full disk, a broken sink) while the provider logs a read's outcome: every caller
/// of that read gets the exception instead of waiting forever, and the background refresh goes on.
/// </summary>
public class ThrowingLoggerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GetKeyAsync_LoggerThrowsWhileTheKeyLoadedIsLogged_CallersGetTheErrorAndTheRefreshGoesOn()
    {
        await using var app = new ControlledProvider(s => s.AddLogging(b => b.AddProvider(new ThrowingLoggerProvider(eventId: 1))));
        var load = app.Provider.GetKeyAsync().AsTask();
        var fetch = await app.Source.NextFetchAsync();
        var refresh = app.Provider.RefreshAsync().AsTask(); // queued behind the first load

        fetch.Found(TestKeys.Project('A'));

        var loadError = (await FluentActions.Awaiting(() => load.WaitAsync(Bound)).Should().ThrowAsync<Exception>()).Which;
        var refreshError = (await FluentActions.Awaiting(() => refresh.WaitAsync(Bound)).Should().ThrowAsync<Exception>(
            "the caller queued behind the read is released with it")).Which;
        loadError.ToString().Should().Contain(ThrowingLoggerProvider.Message);
        refreshError.ToString().Should().Contain(ThrowingLoggerProvider.Message, "the provider is not disposed: the caller gets what went wrong");
        var status = app.Provider.GetStatus();
        status.ConsecutiveFailures.Should().Be(1, "the read counts as failed");
        status.NextRefreshAt.Should().NotBeNull("the background refresh is scheduled again");
        app.Source.FetchCount.Should().Be(1, "the queued read shares the outcome: it does not run");
    }

    /// <summary>A logger that throws on one event id: a sink that fails on a write.</summary>
    private sealed class ThrowingLoggerProvider(int eventId) : ILoggerProvider
    {
        public const string Message = "the log sink is full";

        public ILogger CreateLogger(string categoryName) => new ThrowingLogger(eventId);

        public void Dispose()
        {
        }

        private sealed class ThrowingLogger(int eventId) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (id.Id == eventId)
                {
                    throw new IOException(Message);
                }
            }
        }
    }
}
