using System.Net.Http;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A source that fails: any exception it throws (not only <see cref="OpenAIKeySourceException"/>) keeps the last good
/// key and is reported by its type; a failed first load is read again once MinimumRefreshInterval has passed.
/// </summary>
public class OpenAIKeyProviderSourceFailureTests
{
    private static readonly string KeyA = TestKeys.Project('A');
    private static readonly string KeyB = TestKeys.Project('B');

    [Theory]
    [InlineData(nameof(HttpRequestException))]
    [InlineData(nameof(TaskCanceledException))] // the store client's own timeout, not the provider's cancellation
    [InlineData(nameof(InvalidOperationException))]
    public async Task RefreshAsync_SourceThrowsAnyExceptionWithALastGoodKey_ServesItAndNamesTheSourceAndType(string type)
    {
        Exception thrown = type switch
        {
            nameof(HttpRequestException) => new HttpRequestException("connection refused"),
            nameof(TaskCanceledException) => new TaskCanceledException("the store client's own timeout"),
            _ => new InvalidOperationException("a bug in the source"),
        };
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10)); // past MinimumRefreshInterval
        h.Source.SetException(thrown);

        var key = await h.Provider.RefreshAsync();

        key.Value.Should().Be(KeyA);
        var status = h.Provider.GetStatus();
        status.ConsecutiveFailures.Should().Be(1);
        status.LastError.Should().Be($"Memory:source1 failed with {type}.");
        h.Logs.GetSnapshot().Should().Contain(r => r.Exception != null && r.Exception.InnerException == thrown);
    }

    [Fact]
    public async Task GetKeyAsync_SourceThrowsAnyExceptionOnTheFirstLoad_ThrowsUnavailableWithTheCause()
    {
        await using var h = new ProviderHarness();
        var thrown = new HttpRequestException("connection refused");
        h.Source.SetException(thrown);

        var error = (await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync())
            .Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;

        error.Message.Should().Contain("Memory:source1: failed (Memory:source1 failed with HttpRequestException.)");
        error.InnerException.Should().BeOfType<OpenAIKeySourceException>().Which.InnerException.Should().BeSameAs(thrown);
    }

    [Fact]
    public async Task GetKeyAsync_FailedFirstLoadThenMinimumRefreshIntervalPassed_ReadsAgain()
    {
        await using var h = new ProviderHarness(o =>
        {
            o.MinimumRefreshInterval = TimeSpan.FromSeconds(5);
            o.InitialRetryDelay = TimeSpan.FromMinutes(1); // the timer stays out of it
        });
        h.Source.SetFailure();
        await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>();
        h.Source.SetValue(KeyA);

        await h.AdvanceAsync(TimeSpan.FromSeconds(4));
        await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>(
            "within MinimumRefreshInterval the cached error is rethrown");
        h.Source.FetchCount.Should().Be(1);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        var key = await h.Provider.GetKeyAsync();

        key.Value.Should().Be(KeyA);
        h.Source.FetchCount.Should().Be(2);
    }

    [Fact]
    public async Task GetKeyAsync_FailedFirstLoadRethrownToEveryCaller_EachGetsItsOwnException()
    {
        await using var h = new ProviderHarness(o => o.MinimumRefreshInterval = TimeSpan.FromSeconds(5));
        h.Source.SetFailure(message: "the vault is unreachable");

        var first = (await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
        var second = (await FluentActions.Awaiting(async () => await h.Provider.GetKeyAsync()).Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;

        second.Should().NotBeSameAs(first);
        second.Message.Should().Be(first.Message);
        second.InnerException.Should().BeSameAs(first.InnerException);
    }

    [Fact]
    public async Task RefreshAsync_AfterAFailureThenSuccess_ClearsTheErrorAndTheFailureCount()
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(KeyA);
        await h.Provider.GetKeyAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetFailure();
        await h.Provider.RefreshAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Source.SetValue(KeyB);

        (await h.Provider.RefreshAsync()).Value.Should().Be(KeyB);

        var status = h.Provider.GetStatus();
        status.LastError.Should().BeNull();
        status.ConsecutiveFailures.Should().Be(0);
        status.LastSuccessAt.Should().Be(h.Time.GetUtcNow());
    }
}
