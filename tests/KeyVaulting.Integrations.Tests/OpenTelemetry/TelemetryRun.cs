using System.ClientModel;
using System.Diagnostics;
using KeyVaulting.Integrations.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace KeyVaulting.Integrations.Tests.OpenTelemetry;

/// <summary>
/// One application run collected by OpenTelemetry's SDK with the in-memory exporter, configured the way the
/// documentation says (<c>AddMeter(KeyVaultingInstrumentation.MeterName)</c>,
/// <c>AddSource(KeyVaultingInstrumentation.ActivitySourceName)</c>): the key loads, a chat succeeds, the key rotates,
/// the rotated key is revoked and a request recovers from the 401, and a 429 <c>insufficient_quota</c> reaches the
/// caller. What the SDK exported is kept.
/// </summary>
internal sealed class TelemetryRun
{
    private TelemetryRun(IReadOnlyList<MetricSnapshot> metrics, IReadOnlyList<Activity> spans)
    {
        Metrics = metrics;
        Spans = spans;
    }

    public IReadOnlyList<MetricSnapshot> Metrics { get; }

    public IReadOnlyList<Activity> Spans { get; }

    public static async Task<TelemetryRun> RecordAsync()
    {
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        await using (var app = await KeyVaultingApp.StartAsync(services => services.AddOpenTelemetry()
                         .WithMetrics(m => m.AddMeter(KeyVaultingInstrumentation.MeterName).AddInMemoryExporter(metrics))
                         .WithTracing(t => t.AddSource(KeyVaultingInstrumentation.ActivitySourceName).AddInMemoryExporter(spans))))
        {
            var chat = app.Services.GetRequiredService<OpenAIClient>().GetChatClient("gpt-4o-mini");
            await ChatAsync(chat, "first");

            // Rotation: the store gets a new key, the provider re-reads it.
            app.PutInStore(KeyVaultingApp.Key2);
            app.PassMinimumRefreshInterval();
            using (var bound = KeyVaultingApp.Bounded())
            {
                await app.Provider.RefreshAsync(bound.Token);
            }

            await ChatAsync(chat, "rotated");

            // Revocation: OpenAI rejects the served key; the request re-reads the store and is sent once more.
            app.PutInStore(KeyVaultingApp.Key3);
            app.Server.RevokeKey(KeyVaultingApp.Key2);
            app.PassMinimumRefreshInterval();
            await ChatAsync(chat, "recovered");

            // No credits: a 429 insufficient_quota goes back to the caller, not retried.
            app.Server.EnqueueError(429, "429-insufficient_quota.json");
            var quota = await FluentActions.Invoking(() => ChatAsync(chat, "quota")).Should().ThrowAsync<ClientResultException>();
            quota.Which.Status.Should().Be(429);

            app.Server.Requests.Select(r => (r.Tag, r.Key)).Should().Equal(
                [("first", KeyVaultingApp.Key1), ("rotated", KeyVaultingApp.Key2), ("recovered", KeyVaultingApp.Key2),
                 ("recovered", KeyVaultingApp.Key3), ("quota", KeyVaultingApp.Key3)],
                "the run is what the telemetry describes");
            app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).Should().BeTrue();
            app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000).Should().BeTrue();
        }

        return new TelemetryRun(metrics, spans);
    }

    /// <summary>Gets the last exported snapshot of an instrument (cumulative), or fails naming what was exported.</summary>
    public MetricSnapshot Metric(string name)
    {
        var found = Metrics.LastOrDefault(m => m.Name == name);
        found.Should().NotBeNull("instrument {0} should have been exported; exported: {1}", name, string.Join(", ", Metrics.Select(m => m.Name).Distinct()));
        return found!;
    }

    private static async Task ChatAsync(ChatClient chat, string tag)
    {
        using var bound = KeyVaultingApp.Bounded();
        await chat.CompleteChatAsync([new UserChatMessage(tag)], cancellationToken: bound.Token);
    }
}
