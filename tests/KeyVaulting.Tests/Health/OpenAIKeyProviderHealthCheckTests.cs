using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Tests.Health;

public class OpenAIKeyProviderHealthCheckTests
{
    private static readonly string Key = TestKeys.Project('H');

    [Fact]
    public async Task CheckHealth_FreshKey_HealthyWithSafeData()
    {
        await using var h = Harness();
        h.Source.SetValue(Key, "v7");

        var report = await CheckAsync(h);

        report.Status.Should().Be(HealthStatus.Healthy);
        var data = report.Entries["openai-key"].Data;
        data["source"].Should().Be("Memory:source1");
        data["version"].Should().Be("v7");
        data["fingerprint"].Should().Be("sk-proj-…HHHH");
        AllText(report).Should().NotContain(Key);
    }

    [Fact]
    public async Task CheckHealth_RefreshFailed_DegradedThenHealthyWhenStoreRecovers()
    {
        await using var h = Harness();
        h.Source.SetValue(Key);
        await h.Provider.GetKeyAsync();
        h.Source.SetFailure(message: "store answered 503");
        await h.AdvanceAsync(TimeSpan.FromMinutes(6));

        var degraded = await CheckAsync(h);
        h.Source.SetValue(Key);
        await h.AdvanceAsync(TimeSpan.FromMinutes(6));
        var healthy = await CheckAsync(h);

        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Entries["openai-key"].Data["lastError"].Should().Be("store answered 503");
        healthy.Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task CheckHealth_NotConfirmedForLongerThanMaxStaleness_Unhealthy()
    {
        await using var h = Harness(o => o.MaxStaleness = TimeSpan.FromHours(1));
        h.Source.SetValue(Key);
        await h.Provider.GetKeyAsync();
        h.Source.SetFailure();

        for (var i = 0; i < 14; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromMinutes(5.6));
        }

        var report = await CheckAsync(h);

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["openai-key"].Description.Should().Contain("MaxStaleness");
        (await h.Provider.GetKeyAsync()).Value.Should().Be(Key, "the key keeps being served");
    }

    [Fact]
    public async Task CheckHealth_NoKey_UnhealthyWithReason()
    {
        await using var h = Harness();
        h.Source.SetNotFound("nothing stored");

        var report = await CheckAsync(h);

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["openai-key"].Data["lastError"].As<string>().Should().Contain("nothing stored");
    }

    [Fact]
    public async Task CheckHealth_OpenAIRejectsTheKeyAndNoSourceHasANewerOne_UnhealthyWithFingerprintSourceSinceAndErrorThenHealthyOnANewKey()
    {
        await using var h = Harness();
        h.Source.SetValue(Key, "v7");
        var key = await h.Provider.GetKeyAsync();
        var rejectedAt = h.Time.GetUtcNow();
        await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None);
        await h.Provider.RecoverAsync(key, "invalid_api_key", CancellationToken.None);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(500));

        var unhealthy = await CheckAsync(h);
        var replacement = TestKeys.Project('R');
        h.Source.SetValue(replacement, "v8");
        await h.AdvanceAsync(TimeSpan.FromSeconds(1.2));
        var healthy = await CheckAsync(h);

        unhealthy.Status.Should().Be(HealthStatus.Unhealthy);
        var entry = unhealthy.Entries["openai-key"];
        entry.Description.Should().Contain("OpenAI rejects key sk-proj-…HHHH from Memory:source1 (401, error invalid_api_key)")
            .And.Contain("Put a valid key in Memory:source1");
        entry.Data["fingerprint"].Should().Be("sk-proj-…HHHH");
        entry.Data["source"].Should().Be("Memory:source1");
        entry.Data["rejectedSince"].Should().Be(rejectedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        entry.Data["rejectedForSeconds"].Should().Be(0.5);
        entry.Data["openAIError"].Should().Be("invalid_api_key");
        entry.Data["rejectedRequests"].Should().Be(2L);
        healthy.Status.Should().Be(HealthStatus.Healthy);
        healthy.Entries["openai-key"].Data["fingerprint"].Should().Be("sk-proj-…RRRR");
        healthy.Entries["openai-key"].Data.Should().NotContainKey("rejectedSince");
        AllText(unhealthy).Should().NotContain(Key);
    }

    private static ProviderHarness Harness(Action<OpenAIKeyProviderOptions>? configure = null)
        => new(configure, services: s => s.AddHealthChecks().AddOpenAIKeyProvider());

    private static Task<HealthReport> CheckAsync(ProviderHarness h)
        => h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    private static string AllText(HealthReport report)
        => string.Join("|", report.Entries.Values.SelectMany(e => e.Data.Values.Select(v => v.ToString()).Append(e.Description)));
}
