using KeyVaulting.Rotation.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace KeyVaulting.Rotation.Tests.Health;

public sealed class OpenAIKeyRotationHealthCheckTests
{
    [Fact]
    public async Task CheckHealthAsync_RotatedOnTime_HealthyWithIdsAndDueTime()
    {
        await using var world = await RotationWorld.StartAsync();
        await using var services = world.CreateServices(services: s => s.AddHealthChecks().AddOpenAIKeyRotation());
        await new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RunAsync();

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(BoundedRotator.Bound);

        var entry = report.Entries["openai-key-rotation"];
        entry.Status.Should().Be(HealthStatus.Healthy);
        entry.Data["currentKeyId"].Should().Be(world.InitialKey.Id);
        entry.Data["dueAt"].Should().Be((world.InitialKey.CreatedAt + TimeSpan.FromDays(30)).ToString("O"));
    }

    [Fact]
    public async Task CheckHealthAsync_LastRunFailed_DegradedWithTheErrorAndNoSecret()
    {
        await using var world = await RotationWorld.StartAsync();
        var wrongAdminKey = "sk-admin-" + new string('W', 40);
        await using var services = world.CreateServices(services: s => s.AddHealthChecks().AddOpenAIKeyRotation(), adminKey: wrongAdminKey);
        world.Time.Advance(TimeSpan.FromDays(30));
        var act = () => new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RunAsync();
        await act.Should().ThrowAsync<OpenAIKeyRotationException>();

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(BoundedRotator.Bound);

        var entry = report.Entries["openai-key-rotation"];
        entry.Status.Should().Be(HealthStatus.Degraded);
        entry.Data["consecutiveFailures"].Should().Be(1);
        ((string)entry.Data["lastError"]).Should().Contain("401");
        var texts = entry.Data.Values.Select(v => v.ToString()!).Append(entry.Description!);
        texts.Should().NotContain(t => t.Contains(wrongAdminKey, StringComparison.Ordinal) || t.Contains(RotationWorld.AdminKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckHealthAsync_RotationOverdue_Degraded()
    {
        await using var world = await RotationWorld.StartAsync();
        await using var services = world.CreateServices(services: s => s.AddHealthChecks().AddOpenAIKeyRotation());
        await new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RunAsync();
        world.Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromHours(2));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(BoundedRotator.Bound);

        report.Entries["openai-key-rotation"].Status.Should().Be(HealthStatus.Degraded);
        report.Entries["openai-key-rotation"].Description.Should().Contain("overdue");
    }

    [Fact]
    public async Task Metrics_Rotation_CountsPromotionAndCompletionAndTimesEachStepWithoutKeys()
    {
        await using var world = await RotationWorld.StartAsync();
        await using var services = world.CreateServices(services: s => s.AddMetrics());
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var rotations = new MetricCollector<long>(meters, "KeyVaulting", "keyvaulting.rotation.rotations");
        using var steps = new MetricCollector<double>(meters, "KeyVaulting", "keyvaulting.rotation.step.duration");
        using var failures = new MetricCollector<long>(meters, "KeyVaulting", "keyvaulting.rotation.failures");

        await new BoundedRotator(services.GetRequiredService<IOpenAIKeyRotator>()).RotateNowAsync(RevokeTiming.Immediately);

        rotations.GetMeasurementSnapshot().Select(m => m.Tags["keyvaulting.outcome"]).Should().Equal("promoted", "completed");
        steps.GetMeasurementSnapshot().Select(m => m.Tags["keyvaulting.rotation.step"]).Should().Contain(["claim", "create", "stage", "test", "promote", "revoke", "complete"]);
        failures.GetMeasurementSnapshot().Should().BeEmpty();
        var tagValues = rotations.GetMeasurementSnapshot().Concat(failures.GetMeasurementSnapshot()).SelectMany(m => m.Tags.Values)
            .Concat(steps.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values)).Select(v => v?.ToString() ?? string.Empty);
        tagValues.Should().NotContain(v => world.Secrets().Any(s => v.Contains(s, StringComparison.Ordinal)));
    }
}
