using System.Diagnostics;
using KeyVaulting.Integrations.Tests.Infrastructure;

namespace KeyVaulting.Integrations.Tests.OpenTelemetry;

/// <summary>
/// What an operator sees through OpenTelemetry's SDK (the in-memory exporter standing in for an OTLP or Prometheus
/// one): a rotation and a 401 recovery as metrics and as spans, and no key in any tag.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class OpenTelemetryCollectionTests(TelemetryRunFixture fixture)
{
    private const string Provider = "keyvaulting.provider";
    private const string Outcome = "keyvaulting.outcome";

    [Fact]
    public void AddMeter_RotationAndRecoveryFromA401_ShowAsMetrics()
    {
        var run = fixture.Run;

        MetricPoints.Sum(run.Metric("keyvaulting.key.rotations"), (Provider, "default"))
            .Should().Be(2, "the refresh after the rotation and the one after the 401 each started serving a new key");
        MetricPoints.Sum(run.Metric("keyvaulting.openai.key_rejections"), (Provider, "default"), (Outcome, "resent")).Should().Be(1);
        MetricPoints.Sum(run.Metric("keyvaulting.openai.too_many_requests"), ("keyvaulting.openai.error", "insufficient_quota")).Should().Be(1);
        MetricPoints.Sum(run.Metric("keyvaulting.source.fetches"), ("keyvaulting.source", "Memory:integration"), (Outcome, "found"))
            .Should().Be(3, "the load at startup, the forced refresh and the refresh after the 401");
        MetricPoints.Sum(run.Metric("keyvaulting.source.fetch.duration")).Should().Be(3);
        MetricPoints.Read(run.Metric("keyvaulting.key.age")).Should().ContainSingle(p => Equals(p.Tags[Provider], "default"))
            .Which.Value.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void AddSource_RecoveryFromA401_IsASpanWhoseChildReadTheStore()
    {
        var run = fixture.Run;

        var fetches = run.Spans.Where(s => s.OperationName == "KeyVaulting.Fetch").ToList();
        fetches.Should().HaveCount(3);
        fetches.Should().OnlyContain(s => Equals(s.GetTagItem("keyvaulting.source"), "Memory:integration") && Equals(s.GetTagItem(Outcome), "found"));
        var recovery = run.Spans.Should().ContainSingle(s => s.OperationName == "KeyVaulting.KeyRejection").Subject;
        recovery.GetTagItem(Provider).Should().Be("default");
        recovery.GetTagItem(Outcome).Should().Be("resent");
        recovery.GetTagItem("keyvaulting.openai.error").Should().Be("invalid_api_key");
        recovery.Status.Should().Be(ActivityStatusCode.Unset, "the request was sent again and succeeded");
        fetches.Should().ContainSingle(s => s.ParentSpanId == recovery.SpanId, "the store read the 401 forced is the recovery's child");
    }

    [Fact]
    public void Telemetry_WholeRun_NoTagHoldsAKey()
    {
        var run = fixture.Run;

        var texts = run.Metrics.SelectMany(m => MetricPoints.Read(m).SelectMany(p => p.Tags.Select(t => $"{m.Name} {t.Key}={t.Value}")))
            .Concat(run.Spans.SelectMany(s => s.TagObjects.Select(t => $"{s.OperationName} {t.Key}={t.Value}")
                .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{s.OperationName} {e.Name} {t.Key}={t.Value}")))
                .Concat(s.Baggage.Select(b => $"{s.OperationName} baggage {b.Key}={b.Value}"))
                .Append($"{s.OperationName} {s.DisplayName} {s.StatusDescription}")))
            .ToList();

        texts.Should().NotBeEmpty();
        foreach (var key in KeyVaultingApp.AllKeys)
        {
            var tail = key[^8..];
            texts.Should().NotContain(t => t.Contains(key, StringComparison.Ordinal));
            texts.Should().NotContain(t => t.Contains(tail, StringComparison.Ordinal), "not even a key's tail: tags name providers and sources, never keys");
        }
    }
}
