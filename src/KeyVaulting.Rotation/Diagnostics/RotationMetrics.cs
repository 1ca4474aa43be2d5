using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KeyVaulting.Rotation.Diagnostics;

/// <summary>
/// The rotation instruments of the <c>KeyVaulting</c> meter: rotations by outcome, failures by step, and the duration
/// of each step. Tags carry the rotation's and the store's names and the step, never a key.
/// </summary>
internal sealed class RotationMetrics : IDisposable
{
    public const string MeterName = "KeyVaulting";
    public const string RotationsInstrument = "keyvaulting.rotation.rotations";
    public const string FailuresInstrument = "keyvaulting.rotation.failures";
    public const string StepDurationInstrument = "keyvaulting.rotation.step.duration";
    public const string RotationTag = "keyvaulting.rotation";
    public const string TargetTag = "keyvaulting.target";
    public const string StepTag = "keyvaulting.rotation.step";
    public const string OutcomeTag = "keyvaulting.outcome";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _rotations;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _stepDuration;

    public RotationMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        _rotations = _meter.CreateCounter<long>(RotationsInstrument, unit: "{rotation}", description: "Keys promoted (outcome promoted) and old keys revoked (outcome completed) by the rotator.");
        _failures = _meter.CreateCounter<long>(FailuresInstrument, unit: "{failure}", description: "Rotator runs that failed, by the step that failed.");
        _stepDuration = _meter.CreateHistogram<double>(StepDurationInstrument, unit: "s", description: "How long each rotation step took.");
    }

    public void RecordRotation(string rotation, string target, string outcome)
        => _rotations.Add(1, new TagList { { RotationTag, rotation }, { TargetTag, target }, { OutcomeTag, outcome } });

    public void RecordFailure(string rotation, string target, string step)
        => _failures.Add(1, new TagList { { RotationTag, rotation }, { TargetTag, target }, { StepTag, step } });

    public void RecordStep(string rotation, string target, string step, string outcome, TimeSpan duration)
        => _stepDuration.Record(duration.TotalSeconds, new TagList { { RotationTag, rotation }, { TargetTag, target }, { StepTag, step }, { OutcomeTag, outcome } });

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
