using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KeyVaulting.Testing;

namespace KeyVaulting.Integrations.Tests.OpenTelemetry;

/// <summary>
/// <c>docs/keyvaulting-grafana-dashboard.json</c> queries only what the library really emits: every
/// <c>keyvaulting_…</c> name in a query is the Prometheus name of an instrument (or a tag) that a recorded run
/// published, and every instrument the run published has a panel.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed partial class GrafanaDashboardTests(TelemetryRunFixture fixture)
{
    private static readonly string DashboardPath = Path.Combine(Fixtures.RepositoryRoot, "docs", "keyvaulting-grafana-dashboard.json");

    [Fact]
    public void Dashboard_EveryQuery_NamesOnlySeriesAndLabelsTheLibraryPublishes()
    {
        var (series, labels) = Published();

        var used = Queries().SelectMany(q => KeyVaultingName().Matches(q).Select(m => (Query: q, Name: m.Value))).ToList();

        used.Should().NotBeEmpty("the dashboard queries KeyVaulting's metrics");
        used.Where(u => !series.Contains(u.Name) && !labels.Contains(u.Name)).Select(u => $"{u.Name} in: {u.Query}")
            .Should().BeEmpty("a query may name only published series ({0}) and labels ({1})", string.Join(", ", series.Order()), string.Join(", ", labels.Order()));
    }

    [Fact]
    public void Dashboard_EveryPublishedInstrument_IsQueried()
    {
        var queried = Queries().SelectMany(q => KeyVaultingName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        var instruments = fixture.Run.Metrics.Select(m => (m.Name, m.Unit, m.MetricType)).Distinct().ToList();

        instruments.Select(i => i.Name).Should().Contain(
            ["keyvaulting.source.fetches", "keyvaulting.source.fetch.duration", "keyvaulting.key.rotations", "keyvaulting.key.age",
             "keyvaulting.openai.key_rejections", "keyvaulting.openai.too_many_requests"],
            "the recorded run exercises every instrument");
        instruments.Where(i => !PrometheusNames.SeriesOf(i.Name, i.Unit, i.MetricType).Any(queried.Contains)).Select(i => i.Name)
            .Should().BeEmpty("every instrument has a panel");
    }

    [Fact]
    public void Dashboard_Json_IsAnImportableGrafanaDashboard()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;

        dashboard["__inputs"]!.AsArray().Should().ContainSingle(i => (string?)i!["pluginId"] == "prometheus");
        dashboard["uid"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        Panels(dashboard).Where(p => (string?)p["type"] != "row")
            .Should().OnlyContain(p => p["targets"] != null && p["targets"]!.AsArray().Count > 0 && p["description"] != null);
    }

    private (HashSet<string> Series, HashSet<string> Labels) Published()
    {
        var series = new HashSet<string>(StringComparer.Ordinal);
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in fixture.Run.Metrics)
        {
            series.UnionWith(PrometheusNames.SeriesOf(metric.Name, metric.Unit, metric.MetricType));
            labels.UnionWith(MetricPoints.Read(metric).SelectMany(p => p.Tags.Keys).Select(PrometheusNames.Sanitize));
        }

        return (series, labels);
    }

    private static IEnumerable<string> Queries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;
        var targets = Panels(dashboard).SelectMany(p => p["targets"]?.AsArray() ?? []).Select(t => (string?)t!["expr"]);
        var variables = dashboard["templating"]?["list"]?.AsArray().Select(v => (string?)v!["definition"]) ?? [];
        return targets.Concat(variables).OfType<string>();
    }

    private static IEnumerable<JsonNode> Panels(JsonNode dashboard)
        => dashboard["panels"]!.AsArray().OfType<JsonNode>()
            .SelectMany(p => new[] { p }.Concat(p["panels"]?.AsArray().OfType<JsonNode>() ?? []));

    [GeneratedRegex(@"\bkeyvaulting_[A-Za-z0-9_]+")]
    private static partial Regex KeyVaultingName();
}
