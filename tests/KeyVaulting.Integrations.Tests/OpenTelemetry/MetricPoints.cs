using OpenTelemetry.Metrics;

namespace KeyVaulting.Integrations.Tests.OpenTelemetry;

/// <summary>Reads the points of an exported metric as plain values.</summary>
internal static class MetricPoints
{
    /// <summary>Gets each point's tags and its value: the sum of a counter, the last value of a gauge, the count of a histogram.</summary>
    public static IReadOnlyList<(IReadOnlyDictionary<string, object?> Tags, double Value)> Read(MetricSnapshot metric)
    {
        var points = new List<(IReadOnlyDictionary<string, object?>, double)>();
        foreach (var point in metric.MetricPoints)
        {
            var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            double value = metric.MetricType switch
            {
                MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
                MetricType.LongGauge => point.GetGaugeLastValueLong(),
                MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
                MetricType.Histogram => point.GetHistogramCount(),
                _ => double.NaN,
            };
            points.Add((tags, value));
        }

        return points;
    }

    /// <summary>Sums a metric's points whose tags include every given tag.</summary>
    public static double Sum(MetricSnapshot metric, params (string Key, string Value)[] where)
        => Read(metric).Where(p => where.All(w => p.Tags.TryGetValue(w.Key, out var v) && Equals(v, w.Value))).Sum(p => p.Value);
}
