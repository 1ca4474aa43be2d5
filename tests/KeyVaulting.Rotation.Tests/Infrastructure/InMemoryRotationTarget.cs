using System.Globalization;

namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>
/// A store held in memory with the write side of a real one: a current key, a staged key kept apart from it, the
/// replaced key's record, and a version checked on every write (as Vault's check-and-set does). It is also the
/// source consumers read (only the current key). Failures can be injected before or after a write takes effect.
/// </summary>
internal sealed class InMemoryRotationTarget : IOpenAIKeyRotationTarget, IOpenAIKeySource
{
    private readonly object _gate = new();
    private readonly Dictionary<TargetOperation, bool> _failures = [];
    private TargetOperation? _failReadAfter;
    private long _version;
    private string? _currentValue;
    private OpenAIKeyRecord? _current;
    private OpenAIKeyRotationPending? _pending;
    private OpenAIKeyRecord? _previous;
    private DateTimeOffset? _supersededAt;

    public string Name => "Memory:rotation-test";

    public string? CurrentValue
    {
        get
        {
            lock (_gate)
            {
                return _currentValue;
            }
        }
    }

    public int Writes { get; private set; }

    public int Promotions { get; private set; }

    public void Seed(string value, OpenAIKeyRecord record)
    {
        lock (_gate)
        {
            _currentValue = value;
            _current = record;
            _version++;
        }
    }

    /// <summary>Makes the next <paramref name="operation"/> throw, after applying it when <paramref name="afterApplying"/>.</summary>
    public void FailNext(TargetOperation operation, bool afterApplying = false)
    {
        lock (_gate)
        {
            _failures[operation] = afterApplying;
        }
    }

    /// <summary>Makes the first read after <paramref name="operation"/> throw: the process died right after that write.</summary>
    public void FailReadAfter(TargetOperation operation)
    {
        lock (_gate)
        {
            _failReadAfter = operation;
        }
    }

    public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return new(_currentValue is null
                ? OpenAIKeySourceResult.NotFound("no key yet")
                : OpenAIKeySourceResult.Found(_currentValue, _version.ToString(CultureInfo.InvariantCulture)));
        }
    }

    public ValueTask<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Inject(TargetOperation.Read, after: false);
            return new(new OpenAIKeyRotationState
            {
                Version = _version.ToString(CultureInfo.InvariantCulture),
                Current = _current,
                Pending = _pending,
                Previous = _previous,
                PreviousSupersededAt = _supersededAt,
            });
        }
    }

    public ValueTask<bool> TryStageAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, CancellationToken cancellationToken)
        => Write(pending.Key is null ? TargetOperation.Claim : TargetOperation.Stage, expected, () => _pending = pending);

    public ValueTask<bool> TryPromoteAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, DateTimeOffset promotedAt, CancellationToken cancellationToken)
        => Write(TargetOperation.Promote, expected, () =>
        {
            _previous = _current;
            _supersededAt = promotedAt;
            _current = pending.Record;
            _currentValue = pending.Key!.Value;
            _pending = null;
            Promotions++;
        });

    public ValueTask<bool> TryDiscardAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => Write(TargetOperation.Discard, expected, () => _pending = null);

    public ValueTask<bool> TryCompleteAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => Write(TargetOperation.Complete, expected, () =>
        {
            _previous = null;
            _supersededAt = null;
        });

    public OpenAIKeyRotationState Snapshot() => ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private ValueTask<bool> Write(TargetOperation operation, OpenAIKeyRotationState expected, Action apply)
    {
        lock (_gate)
        {
            if (expected.Version != _version.ToString(CultureInfo.InvariantCulture))
            {
                return new(false);
            }

            Inject(operation, after: false);
            apply();
            _version++;
            Writes++;
            if (_failReadAfter == operation)
            {
                _failReadAfter = null;
                _failures[TargetOperation.Read] = false;
            }

            Inject(operation, after: true);
            return new(true);
        }
    }

    private void Inject(TargetOperation operation, bool after)
    {
        if (_failures.TryGetValue(operation, out var afterApplying) && afterApplying == after)
        {
            _failures.Remove(operation);
            throw new OpenAIKeySourceException(Name, $"injected failure of {operation}", isTransient: true);
        }
    }
}

/// <summary>The target's operations, for failure injection.</summary>
internal enum TargetOperation
{
    Read,
    Claim,
    Stage,
    Promote,
    Discard,
    Complete,
}
