using System.ClientModel;
using KeyVaulting.Provider;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenAI.Chat;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// The order people use in a panic: the key is revoked at OpenAI first and the new key written to the store two
/// seconds later. Through the real OpenAI client, on fake time: requests fail only until about a second after the
/// store is updated, and the store is read about once a second meanwhile, however many requests fail.
/// </summary>
public class RevokedBeforeTheStoreIsUpdatedTests
{
    private const int RequestsPerStep = 4;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task CompleteChat_KeyRevokedTwoSecondsBeforeTheStoreIsUpdated_FirstSuccessfulResendWithinASecondOfTheUpdate()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddHealthChecks().AddOpenAIKeyProvider());
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        var provider = (OpenAIKeyProvider)context.Provider;
        var readsBefore = context.Source.FetchCount;
        var update = TimeSpan.FromSeconds(2);
        TimeSpan? firstSuccess = null;
        string? firstSuccessTag = null;
        var failures = 0;
        var reportedUnhealthy = false;

        context.Server.RevokeKey(OpenAITestContext.Key1); // t = 0
        for (var elapsed = TimeSpan.Zero; elapsed <= TimeSpan.FromSeconds(5); elapsed += Step)
        {
            var tags = Enumerable.Range(0, RequestsPerStep).Select(i => $"t{elapsed.TotalMilliseconds}-{i}").ToArray();
            var statuses = await Task.WhenAll(tags.Select(tag => SendAsync(chat, tag)));
            for (var i = 0; i < statuses.Length; i++)
            {
                if (statuses[i] == 200)
                {
                    firstSuccess ??= elapsed;
                    firstSuccessTag ??= tags[i];
                }
                else
                {
                    statuses[i].Should().Be(401);
                    firstSuccess.Should().BeNull("once a request succeeded with the new key, every later one does");
                    failures++;
                }
            }

            if (elapsed == update)
            {
                // Written right after the reads of this instant: the worst case for the next read.
                reportedUnhealthy = (await context.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status == HealthStatus.Unhealthy;
                context.Source.SetValue(OpenAITestContext.Key2);
                context.Server.AcceptKey(OpenAITestContext.Key2);
            }

            context.Time.Advance(Step);
            await provider.PendingRead.WaitAsync(TimeSpan.FromSeconds(10));
        }

        firstSuccess.Should().NotBeNull().And.BeGreaterThan(update).And.BeLessThanOrEqualTo(update + TimeSpan.FromSeconds(1), "the store is re-read every second while OpenAI rejects the key");
        context.Server.Requests.Where(r => r.Tag == firstSuccessTag).Select(r => r.Key).Should().Equal(
            [OpenAITestContext.Key1, OpenAITestContext.Key2], "the request that met the 401 waited for the read that found the new key, and was sent once more");
        failures.Should().Be(30 * RequestsPerStep, "requests fail from the revocation (t = 0) until the read a second after the update (t = 3 s): 30 steps of 100 ms");
        (context.Source.FetchCount - readsBefore).Should().Be(4, "one read at the first 401, then one a second: at 1, 2 and 3 seconds, for {0} failed requests", failures);
        reportedUnhealthy.Should().BeTrue("the health check tells the truth while every request fails");
        (await context.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task CompleteChat_RejectedKeyAcceptedAgain_HealthReturnsToHealthyOnTheFirstSuccess()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddHealthChecks().AddOpenAIKeyProvider());
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        var health = context.Services.GetRequiredService<HealthCheckService>();
        context.Server.RevokeKey(OpenAITestContext.Key1);
        (await SendAsync(chat, "rejected")).Should().Be(401);
        var unhealthy = await health.CheckHealthAsync();

        // A 401 for a wrong project header, say, fixed at OpenAI's end: the same key works again.
        context.Server.AcceptKey(OpenAITestContext.Key1);
        (await SendAsync(chat, "accepted")).Should().Be(200);

        unhealthy.Status.Should().Be(HealthStatus.Unhealthy);
        unhealthy.Entries["openai-key"].Data["openAIError"].Should().Be("invalid_api_key");
        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy, "a request succeeded with the key");
        ((OpenAIKeyProvider)context.Provider).IsKeyRejected().Should().BeFalse();
    }

    [Fact]
    public async Task CompleteChat_RejectedKeyThenA300Answer_StaysRejectedUntilASuccess()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (s, _) => s.AddHealthChecks().AddOpenAIKeyProvider());
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        var health = context.Services.GetRequiredService<HealthCheckService>();
        var provider = (OpenAIKeyProvider)context.Provider;
        context.Server.RevokeKey(OpenAITestContext.Key1);
        (await SendAsync(chat, "rejected")).Should().Be(401);
        context.Server.AcceptKey(OpenAITestContext.Key1);

        // 300 Multiple Choices is not a success: it says nothing of whether OpenAI accepts the key.
        context.Server.EnqueueResponse(300, """{"choices":[]}""");
        (await SendAsync(chat, "multiple-choices")).Should().Be(300);

        provider.IsKeyRejected().Should().BeTrue("only a 2xx answer ends the rejection");
        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Unhealthy);
        (await SendAsync(chat, "accepted")).Should().Be(200);
        provider.IsKeyRejected().Should().BeFalse();
        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
    }

    private static async Task<int> SendAsync(ChatClient chat, string tag)
    {
        try
        {
            return (await OpenAITestContext.ChatAsync(chat, tag)).GetRawResponse().Status;
        }
        catch (ClientResultException ex)
        {
            return ex.Status;
        }
    }
}
