using System.Text;
using OpenTelemetry.Metrics;

namespace KeyVaulting.Integrations.Tests.OpenTelemetry;

/// <summary>
/// The names a Prometheus back end gives an OpenTelemetry instrument and its tags (OpenTelemetry's Prometheus
/// compatibility rules, as the Prometheus exporter and Prometheus's own OTLP receiver apply them): characters other
/// than letters, digits and <c>_</c> become <c>_</c>; the unit is appended (<c>s</c> as <c>_seconds</c>; a
/// <c>{annotation}</c> unit adds nothing); a counter ends in <c>_total</c>; a histogram is the
/// <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series.
/// </summary>
internal static class PrometheusNames
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["By"] = "bytes",
    };

    /// <summary>Gets every series name an instrument appears under.</summary>
    public static IReadOnlyList<string> SeriesOf(string name, string? unit, MetricType type)
    {
        var baseName = Sanitize(name);
        if (!string.IsNullOrEmpty(unit) && !unit.StartsWith('{') && Units.TryGetValue(unit, out var suffix) && !baseName.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            baseName += "_" + suffix;
        }

        return type switch
        {
            MetricType.LongSum or MetricType.DoubleSum => [baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName : baseName + "_total"],
            MetricType.Histogram or MetricType.ExponentialHistogram => [baseName + "_bucket", baseName + "_sum", baseName + "_count"],
            _ => [baseName],
        };
    }

    /// <summary>Gets the label name of a tag.</summary>
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }
}
