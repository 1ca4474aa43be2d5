using System.ClientModel;
using System.ClientModel.Primitives;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenAI.Chat;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// A flood of 401s or 429s does not flood the log: the first answer of a run is logged in full, then a summary with
/// the count at most once per <c>ErrorLogInterval</c> while it goes on, and one line when it stops.
/// </summary>
public class OpenAIAnswerLogTests
{
    private const int Requests = 10_000;
    private const int Concurrency = 32;

    [Fact]
    public async Task CompleteChat_10000RequestsRejectedWith401_AHandfulOfWarningsThatCountThem()
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency });
        await using var context = await OpenAITestContext.StartAsync(settings => settings.Transport = new HttpClientPipelineTransport(http));
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);
        var readsBefore = context.Source.FetchCount;

        var statuses = await SendManyAsync(chat, Requests);
        var duringTheFlood = Warnings(context.Logs);
        var reads = context.Source.FetchCount - readsBefore;
        context.Time.Advance(TimeSpan.FromSeconds(30));
        var summary = Single(context.Logs, 414);
        context.Time.Advance(TimeSpan.FromSeconds(30));
        var stopped = Single(context.Logs, 415);

        statuses.Should().OnlyContain(s => s == 401);
        duringTheFlood.Should().ContainSingle("only the first rejection is logged while the requests fail")
            .Which.Id.Id.Should().Be(401);
        summary.Level.Should().Be(LogLevel.Warning);
        summary.Message.Should().Contain("9999 more 401 answers (invalid_api_key) returned to the caller").And.Contain("for key sk-proj-…0001")
            .And.Contain("10000 since").And.Contain("Put a valid key in the store");
        stopped.Level.Should().Be(LogLevel.Information);
        stopped.Message.Should().Contain("no more 401 answers (invalid_api_key)").And.Contain("none for 00:00:30").And.Contain("10000 in all");
        Warnings(context.Logs).Should().HaveCount(2, "10,000 rejected requests: the first one and one summary with the count");
        reads.Should().Be(1, "the clock did not move: one read at the first 401, none for the 9,999 others");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_RejectionsGoOnForTwoMinutes_OneSummaryPerIntervalUntilANewKeyEndsThem()
    {
        await using var context = await OpenAITestContext.StartAsync();
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Server.RevokeKey(OpenAITestContext.Key1);

        for (var second = 0; second < 120; second++)
        {
            (await SendManyAsync(chat, 10)).Should().OnlyContain(s => s == 401);
            context.Time.Advance(TimeSpan.FromSeconds(1));
            await ((KeyVaulting.Provider.OpenAIKeyProvider)context.Provider).PendingRead.WaitAsync(TimeSpan.FromSeconds(10));
        }

        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Time.Advance(TimeSpan.FromSeconds(6));
        await ((KeyVaulting.Provider.OpenAIKeyProvider)context.Provider).PendingRead.WaitAsync(TimeSpan.FromSeconds(10));

        var records = context.Logs.GetSnapshot();
        records.Where(r => r.Id.Id == 401).Should().ContainSingle();
        records.Where(r => r.Id.Id == 414).Select(r => r.Message).Should().HaveCount(4, "one summary per 30 seconds over two minutes")
            .And.OnlyContain(m => m.Contains("300 more", StringComparison.Ordinal) || m.Contains("299 more", StringComparison.Ordinal));
        records.Should().ContainSingle(r => r.Id.Id == 415).Which.Message.Should().Contain("the provider serves key sk-proj-…0002 now").And.Contain("1200 in all");
        records.Where(r => r.Level >= LogLevel.Warning).Should().HaveCount(5);
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_1000RateLimitedAnswersReachTheCaller_OneWarningThenASummaryWithTheCount()
    {
        await using var context = await OpenAITestContext.StartAsync(settings =>
        {
            settings.MaxRetries = 0;
            settings.ErrorLogInterval = TimeSpan.FromSeconds(10);
        });
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        for (var i = 0; i < 1000; i++)
        {
            context.Server.EnqueueError(429, "429-rate_limit_exceeded.json");
        }

        var statuses = await SendManyAsync(chat, 1000);
        context.Time.Advance(TimeSpan.FromSeconds(10));
        context.Time.Advance(TimeSpan.FromSeconds(10));

        statuses.Should().OnlyContain(s => s == 429);
        var records = context.Logs.GetSnapshot();
        records.Should().ContainSingle(r => r.Id.Id == 405);
        records.Should().ContainSingle(r => r.Id.Id == 414).Which.Message.Should().Contain("999 more 429 answers (rate_limit_exceeded)").And.Contain("in the last 00:00:10");
        records.Should().ContainSingle(r => r.Id.Id == 415).Which.Message.Should().Contain("1000 in all");
        records.Where(r => r.Level >= LogLevel.Warning).Should().HaveCount(2);
    }

    private static List<FakeLogRecord> Warnings(FakeLogCollector logs)
        => logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).ToList();

    private static FakeLogRecord Single(FakeLogCollector logs, int id)
        => logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == id).Subject;

    private static async Task<int[]> SendManyAsync(ChatClient chat, int count)
    {
        var statuses = new int[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(Concurrency, count)).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    statuses[i] = (await OpenAITestContext.ChatAsync(chat, $"flood-{i}")).GetRawResponse().Status;
                }
                catch (ClientResultException ex)
                {
                    statuses[i] = ex.Status;
                }
            }
        })).WaitAsync(TimeSpan.FromMinutes(3));
        return statuses;
    }
}
