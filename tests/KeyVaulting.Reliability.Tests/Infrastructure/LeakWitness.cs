using System.Diagnostics.Metrics;
using KeyVaulting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// The one leak harness: it watches everything an application can see of KeyVaulting during a scenario (every log
/// record at Trace with its structured state and scopes, every exception, every health report, every measurement of
/// the <c>KeyVaulting</c> meter with its tags, every activity of the scenario's source) and asserts that no sentinel
/// secret, nor any 12-character run of one, appears in any of it.
/// </summary>
public sealed class LeakWitness : IDisposable
{
    private readonly IReadOnlyList<Sentinel> _sentinels;
    private readonly FakeLogCollector _logs;
    private readonly string _sourceName;
    private readonly MetricCollector<long> _fetches;
    private readonly MetricCollector<double> _fetchDurations;
    private readonly MetricCollector<long> _rotations;
    private readonly MetricCollector<double> _keyAge;
    private readonly List<(string Where, string? Text)> _texts = [];
    private readonly List<Exception> _exceptions = [];

    public LeakWitness(IReadOnlyList<Sentinel> sentinels, FakeLogCollector logs, IMeterFactory meters, string sourceName)
    {
        _sentinels = sentinels;
        _logs = logs;
        _sourceName = sourceName;
        _fetches = new MetricCollector<long>(meters, "KeyVaulting", "keyvaulting.source.fetches");
        _fetchDurations = new MetricCollector<double>(meters, "KeyVaulting", "keyvaulting.source.fetch.duration");
        _rotations = new MetricCollector<long>(meters, "KeyVaulting", "keyvaulting.key.rotations");
        _keyAge = new MetricCollector<double>(meters, "KeyVaulting", "keyvaulting.key.age");
        KeyVaultingActivities.EnsureListening();
    }

    public IReadOnlyList<Sentinel> Sentinels => _sentinels;

    /// <summary>Gets the fetches measured so far.</summary>
    public MetricCollector<long> Fetches => _fetches;

    public void Saw(Exception exception)
    {
        lock (_exceptions)
        {
            _exceptions.Add(exception);
        }
    }

    public void Saw(HealthReport report)
    {
        foreach (var (name, entry) in report.Entries)
        {
            Saw($"health '{name}' description", entry.Description);
            foreach (var (key, value) in entry.Data)
            {
                Saw($"health '{name}' data '{key}'", value?.ToString());
            }

            if (entry.Exception is { } exception)
            {
                Saw(exception);
            }
        }
    }

    public void Saw(string where, string? text)
    {
        lock (_texts)
        {
            _texts.Add((where, text));
        }
    }

    /// <summary>Asserts that nothing seen so far contains a sentinel; and that there was something to see.</summary>
    public void ShouldNotHaveLeaked()
    {
        var values = _sentinels.Select(s => s.Value).ToArray();

        // The shared assertions first (whole values), then every fragment of every sentinel over every text.
        _logs.ShouldNotContainSecrets(values);
        List<Exception> exceptions;
        lock (_exceptions)
        {
            exceptions = [.. _exceptions];
        }

        foreach (var exception in exceptions)
        {
            exception.ShouldNotContainSecrets(values);
        }

        _keyAge.RecordObservableInstruments();
        var texts = new List<(string Where, string? Text)>();
        lock (_texts)
        {
            texts.AddRange(_texts);
        }

        var records = _logs.GetSnapshot();
        records.Should().NotBeEmpty("a scenario logs at Trace");
        foreach (var record in records)
        {
            var where = $"log {record.Category}/{record.Id} ({record.Level})";
            texts.Add((where, record.Message));
            texts.AddRange((record.StructuredState ?? []).Select(kv => (where + " state " + kv.Key, kv.Value)));
            texts.AddRange(record.Scopes.Select(s => (where + " scope", s?.ToString())));
            if (record.Exception is { } exception)
            {
                exceptions.Add(exception);
            }
        }

        foreach (var exception in exceptions)
        {
            texts.AddRange(ExceptionTexts(exception));
        }

        _fetches.GetMeasurementSnapshot().Should().NotBeEmpty("every read of the source is measured");
        texts.AddRange(MeasurementTexts("keyvaulting.source.fetches", _fetches.GetMeasurementSnapshot().Select(m => m.Tags)));
        texts.AddRange(MeasurementTexts("keyvaulting.source.fetch.duration", _fetchDurations.GetMeasurementSnapshot().Select(m => m.Tags)));
        texts.AddRange(MeasurementTexts("keyvaulting.key.rotations", _rotations.GetMeasurementSnapshot().Select(m => m.Tags)));
        texts.AddRange(MeasurementTexts("keyvaulting.key.age", _keyAge.GetMeasurementSnapshot().Select(m => m.Tags)));

        var activities = KeyVaultingActivities.Of(_sourceName);
        activities.Should().NotBeEmpty("every read of the source is traced");
        texts.AddRange(activities.SelectMany(a => KeyVaultingActivities.Texts(a).Select(t => ("activity " + a.OperationName, t))));

        // Equal texts are checked once (a storm logs the same line thousands of times); the first place names them.
        foreach (var (where, text) in texts.DistinctBy(t => t.Text, StringComparer.Ordinal))
        {
            foreach (var sentinel in _sentinels)
            {
                sentinel.IsIn(text).Should().BeFalse("{0} must not contain the {1}, whole or in part: {2}", where, sentinel.Kind, text);
            }
        }
    }

    public void Dispose()
    {
        _fetches.Dispose();
        _fetchDurations.Dispose();
        _rotations.Dispose();
        _keyAge.Dispose();
    }

    private static IEnumerable<(string, string?)> ExceptionTexts(Exception exception)
    {
        var where = "exception " + exception.GetType().Name;
        yield return (where + " ToString", exception.ToString());
        yield return (where + " message", exception.Message);
        foreach (System.Collections.DictionaryEntry entry in exception.Data)
        {
            yield return (where + " Data", $"{entry.Key}={entry.Value}");
        }

        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(exception.InnerException is { } e ? [e] : []);
        foreach (var child in inner)
        {
            foreach (var text in ExceptionTexts(child))
            {
                yield return text;
            }
        }
    }

    private static IEnumerable<(string, string?)> MeasurementTexts(string instrument, IEnumerable<IReadOnlyDictionary<string, object?>> tags)
        => tags.SelectMany(t => t).SelectMany(kv => new[] { ($"metric {instrument} tag", kv.Key), ($"metric {instrument} tag {kv.Key}", kv.Value?.ToString()) });
}
