using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KeyVaulting.Diagnostics;

/// <summary>
/// The instruments of the <c>KeyVaulting</c> meter: fetches by source and outcome, fetch duration, rotations, key
/// age and whether OpenAI rejects the key served. Tags carry provider and source names only, never a key.
/// </summary>
internal sealed class KeyVaultingMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _fetches;
    private readonly Histogram<double> _fetchDuration;
    private readonly Counter<long> _rotations;
    private readonly ConcurrentDictionary<string, Func<double?>> _keyAges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<bool>> _keyRejections = new(StringComparer.Ordinal);

    public KeyVaultingMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(KeyVaultingDiagnostics.Name);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(KeyVaultingDiagnostics.Name);
        }

        _fetches = _meter.CreateCounter<long>(KeyVaultingDiagnostics.FetchesInstrument, unit: "{fetch}", description: "Reads of a key source, by outcome.");
        _fetchDuration = _meter.CreateHistogram<double>(KeyVaultingDiagnostics.FetchDurationInstrument, unit: "s", description: "How long a key source took to answer.");
        _rotations = _meter.CreateCounter<long>(KeyVaultingDiagnostics.RotationsInstrument, unit: "{rotation}", description: "Times a provider started serving a new key.");
        _meter.CreateObservableGauge(KeyVaultingDiagnostics.KeyAgeInstrument, ObserveKeyAges, unit: "s", description: "Time since the served key was last confirmed by its source.");
        _meter.CreateObservableGauge(
            KeyVaultingDiagnostics.KeyRejectedInstrument,
            ObserveKeyRejections,
            unit: "{key}",
            description: "1 while OpenAI rejects the key the provider serves (401) and no source holds a newer one, else 0.");
    }

    public void RecordFetch(string providerName, string sourceName, string outcome, TimeSpan duration)
    {
        var tags = new TagList
        {
            { KeyVaultingDiagnostics.ProviderTag, providerName },
            { KeyVaultingDiagnostics.SourceTag, sourceName },
            { KeyVaultingDiagnostics.OutcomeTag, outcome },
        };
        _fetches.Add(1, tags);
        _fetchDuration.Record(duration.TotalSeconds, tags);
    }

    public void RecordRotation(string providerName, string sourceName)
        => _rotations.Add(
            1,
            new KeyValuePair<string, object?>(KeyVaultingDiagnostics.ProviderTag, providerName),
            new KeyValuePair<string, object?>(KeyVaultingDiagnostics.SourceTag, sourceName));

    public void TrackKeyAge(string providerName, Func<double?> ageSeconds) => _keyAges[providerName] = ageSeconds;

    public void UntrackKeyAge(string providerName) => _keyAges.TryRemove(providerName, out _);

    public void TrackKeyRejected(string providerName, Func<bool> rejected) => _keyRejections[providerName] = rejected;

    public void UntrackKeyRejected(string providerName) => _keyRejections.TryRemove(providerName, out _);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<double>> ObserveKeyAges()
    {
        foreach (var (provider, age) in _keyAges)
        {
            if (age() is { } seconds)
            {
                yield return new Measurement<double>(seconds, new KeyValuePair<string, object?>(KeyVaultingDiagnostics.ProviderTag, provider));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveKeyRejections()
    {
        foreach (var (provider, rejected) in _keyRejections)
        {
            yield return new Measurement<int>(rejected() ? 1 : 0, new KeyValuePair<string, object?>(KeyVaultingDiagnostics.ProviderTag, provider));
        }
    }
}
