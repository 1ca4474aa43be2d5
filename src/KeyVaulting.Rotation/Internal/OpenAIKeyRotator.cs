using System.Globalization;
using KeyVaulting.Rotation.Diagnostics;
using KeyVaulting.Rotation.Internal.Admin;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// The rotation engine: reads the store, takes the next step of create → stage → test → promote → (grace period) →
/// revoke, and reads again, until nothing is due. Every step is decided from what the store holds, so a run after a
/// crash anywhere carries on where the crash left off, and the store's conditional writes let one rotator among many
/// instances make each step.
/// </summary>
internal sealed partial class OpenAIKeyRotator : IOpenAIKeyRotator, IDisposable
{
    /// <summary>How long a claim by another rotator is respected before this one takes the rotation over.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How often, at most, the project's keys are listed to revoke forgotten ones.</summary>
    public static readonly TimeSpan OrphanSweepInterval = TimeSpan.FromDays(1);

    /// <summary>The most store reads one run makes; a store that changes under every write is another rotator at work.</summary>
    private const int MaxReads = 24;

    private readonly OpenAIKeyRotationOptions _options;
    private readonly IOpenAIKeyRotationTarget _target;
    private readonly OpenAIAdminClient _admin;
    private readonly KeyProbe _probe;
    private readonly RotationConsumer? _consumer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RotationMetrics _metrics;
    private readonly string _namePrefix;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _statusGate = new();

    // Guarded by _gate.
    private OpenAIKeyRotationPending? _ownStaged;
    private DateTimeOffset? _lastSweepAt;
    private bool _serviceAccountFallback;

    // Guarded by _statusGate.
    private RotationStatus _status = new(null, null, null, 0, null, null);

    public OpenAIKeyRotator(
        string name,
        OpenAIKeyRotationOptions options,
        IOpenAIKeyRotationTarget target,
        OpenAIAdminClient admin,
        KeyProbe probe,
        string environment,
        RotationConsumer? consumer,
        TimeProvider time,
        ILogger logger,
        RotationMetrics metrics)
    {
        Name = name;
        DisplayName = name.Length == 0 ? "default" : name;
        _options = options;
        _target = target;
        _admin = admin;
        _probe = probe;
        _consumer = consumer;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _namePrefix = $"{options.KeyNamePrefix}-{environment}-";
    }

    public string Name { get; }

    /// <summary>Gets the name used in logs, metrics and messages.</summary>
    public string DisplayName { get; }

    public OpenAIKeyRotationOptions Options => _options;

    public IOpenAIKeyRotationTarget Target => _target;

    /// <summary>Gets this rotator instance's id, written in its claims: not secret, different in every process.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>Gets the start of the names of the keys and service accounts this rotator mints.</summary>
    public string NamePrefix => _namePrefix;

    /// <summary>
    /// Gets how long another rotator's claim is respected: <see cref="ClaimTimeout"/>, or longer when the test step
    /// may take longer (the test timeout plus three requests).
    /// </summary>
    public TimeSpan ClaimExpiry
    {
        get
        {
            var busiest = _options.TestTimeout + (3 * _options.RequestTimeout);
            return busiest > ClaimTimeout ? busiest : ClaimTimeout;
        }
    }

    /// <summary>Gets the lifetime each new key gets: the option, else the interval plus twice the grace period.</summary>
    public TimeSpan KeyLifetime => _options.KeyLifetime ?? _options.Interval + (2 * _options.GracePeriod);

    public RotationStatus GetStatus()
    {
        lock (_statusGate)
        {
            return _status;
        }
    }

    public Task<OpenAIKeyRotationResult> RunAsync(CancellationToken cancellationToken = default)
        => ExecuteAsync("run", ct => RunLoopAsync(RunRequest.Scheduled, ct), cancellationToken);

    public Task<OpenAIKeyRotationResult> RotateNowAsync(RevokeTiming revokeOldKey = RevokeTiming.AfterGracePeriod, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(revokeOldKey))
        {
            throw new ArgumentOutOfRangeException(nameof(revokeOldKey));
        }

        Log.RotateNowRequested(_logger, DisplayName, revokeOldKey);
        return ExecuteAsync("rotate now", ct => RunLoopAsync(RunRequest.Now(revokeOldKey), ct), cancellationToken);
    }

    public void Dispose() => _gate.Dispose();

    private async Task<OpenAIKeyRotationResult> ExecuteAsync(string what, Func<CancellationToken, Task<OpenAIKeyRotationResult>> run, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await run(cancellationToken).ConfigureAwait(false);
            lock (_statusGate)
            {
                _status = _status with { LastRunAt = _time.GetUtcNow(), LastResult = result, LastError = null, ConsecutiveFailures = 0 };
            }

            Log.RunFinished(_logger, DisplayName, what, result.Outcome, result.NextRunAt);
            return result;
        }
        catch (Exception ex) when (ex is OpenAIKeyRotationException or OpenAIKeySourceException or InvalidOperationException)
        {
            lock (_statusGate)
            {
                _status = _status with { LastRunAt = _time.GetUtcNow(), LastError = ex.Message, ConsecutiveFailures = _status.ConsecutiveFailures + 1 };
            }

            var step = ex is OpenAIKeyRotationException rotation && rotation.Step.Length > 0 ? rotation.Step : ex is OpenAIKeySourceException ? "store" : "run";
            _metrics.RecordFailure(DisplayName, _target.Name, step);
            Log.RunFailed(_logger, DisplayName, what, step, ex.Message, ex);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<OpenAIKeyRotationResult> RunLoopAsync(RunRequest request, CancellationToken cancellationToken)
    {
        OpenAIKeyRotationPending? promoted = null;
        var revoked = false;
        var fallbackStarted = false;
        string? claimedThisRun = null;

        for (var read = 0; read < MaxReads; read++)
        {
            var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();

            if (state.Pending is { } pending)
            {
                // Another rotator's rotation, claimed or staged, is left to it until its claim expires.
                if (!IsMine(pending) && now - pending.StartedAt < ClaimExpiry)
                {
                    Log.StoodDown(_logger, DisplayName, pending.RotationId, pending.StartedAt);
                    return Result(OpenAIKeyRotationOutcome.StoodDown, pending.StartedAt + ClaimExpiry, state);
                }

                if (pending.Record is null)
                {
                    await CreateAndStageAsync(state, pending, sweepRotation: pending.RotationId != claimedThisRun, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var key = StagedKey(pending);
                if (key is null)
                {
                    await AbandonAsync(state, pending, "its value was not kept by the store and this rotator did not stage it", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await TestOrRollBackAsync(state, pending, key, cancellationToken).ConfigureAwait(false);
                promoted = await PromoteAsync(state, pending, key, cancellationToken).ConfigureAwait(false) ?? promoted;

                continue;
            }

            if (state.Previous is { } previous)
            {
                var graceEnds = (state.PreviousSupersededAt ?? now) + _options.GracePeriod;
                if (request.Timing == RevokeTiming.Immediately || now >= graceEnds)
                {
                    if (promoted?.Key is { } promotedKey)
                    {
                        await WaitForConsumerAsync(promotedKey, cancellationToken).ConfigureAwait(false);
                    }

                    var outcome = await RevokePreviousAsync(state, previous, cancellationToken).ConfigureAwait(false);
                    if (outcome == DeleteOutcome.Refused)
                    {
                        if (fallbackStarted)
                        {
                            throw new OpenAIKeyRotationException("revoke", $"OpenAI refused to delete key {previous.KeyId} again after a rotation into a new service account; revoke it in the OpenAI dashboard and set Strategy to ServiceAccounts.", isTransient: false);
                        }

                        fallbackStarted = true;
                        _serviceAccountFallback = true;
                        Log.ServiceAccountFallback(_logger, DisplayName, previous.KeyId);
                        claimedThisRun = await ClaimAsync(state, now, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (await StepAsync("complete", () => _target.TryCompleteAsync(state, cancellationToken).AsTask()).ConfigureAwait(false))
                    {
                        revoked = true;
                        Log.Completed(_logger, DisplayName, previous.ToString());
                        _metrics.RecordRotation(DisplayName, _target.Name, "completed");
                    }

                    continue;
                }

                if (promoted is not null)
                {
                    return Result(OpenAIKeyRotationOutcome.Promoted, graceEnds, state, promoted);
                }

                if (request.Kind == RunKind.Forced)
                {
                    throw new InvalidOperationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Rotation '{DisplayName}' cannot rotate again yet: the key it replaced last ({previous.KeyId ?? "id unknown"}) is in its grace period until {graceEnds:O} and is revoked then. Call RotateNowAsync(RevokeTiming.Immediately) to revoke it and rotate now (for a leak), or call again after {graceEnds:O}."));
                }

                return Result(OpenAIKeyRotationOutcome.WaitingForGracePeriod, graceEnds, state);
            }

            var due = DueAt(state, now);
            var wanted = request.Kind == RunKind.Forced ? promoted is null : now >= due && promoted is null;
            if (wanted)
            {
                claimedThisRun = await ClaimAsync(state, now, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await SweepOrphansAsync(state, now, cancellationToken).ConfigureAwait(false);
            if (promoted is not null || revoked)
            {
                return Result(OpenAIKeyRotationOutcome.Completed, due, state, promoted);
            }

            return Result(OpenAIKeyRotationOutcome.NotDue, due, state);
        }

        throw new OpenAIKeyRotationException(
            string.Empty,
            string.Create(CultureInfo.InvariantCulture, $"The store {_target.Name} changed under every write of rotation '{DisplayName}' ({MaxReads} reads in one run): another rotator may be fighting over it. The next run tries again."),
            isTransient: true);
    }

    private async Task<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken)
    {
        var state = await StepAsync("read", () => _target.ReadAsync(cancellationToken).AsTask()).ConfigureAwait(false);
        lock (_statusGate)
        {
            _status = _status with { State = state, DueAt = DueAt(state, _time.GetUtcNow()) };
        }

        return state;
    }

    /// <summary>The current key's creation time plus the interval; now when the store has no key or its age is unknown.</summary>
    private DateTimeOffset DueAt(OpenAIKeyRotationState state, DateTimeOffset now)
        => state.Current?.CreatedAt is { } created ? created + _options.Interval : now;

    private bool IsMine(OpenAIKeyRotationPending pending) => string.Equals(pending.ClaimedBy, InstanceId, StringComparison.Ordinal);

    /// <summary>The staged key: from the store, else the one this rotator staged (a store that keeps no staged value).</summary>
    private OpenAIKey? StagedKey(OpenAIKeyRotationPending pending)
    {
        if (pending.Key is { } key)
        {
            return key;
        }

        return _ownStaged is { Key: { } own } staged
               && staged.RotationId == pending.RotationId
               && staged.Record?.KeyId == pending.Record?.KeyId
            ? own
            : null;
    }

    /// <summary>Claims the next rotation in the store (a pending entry with no key yet); returns its id when this rotator got it.</summary>
    private async Task<string?> ClaimAsync(OpenAIKeyRotationState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claim = new OpenAIKeyRotationPending
        {
            RotationId = RotationIds.From(_target.Name, state),
            StartedAt = now,
            ClaimedBy = InstanceId,
        };
        if (await StepAsync("claim", () => _target.TryStageAsync(state, claim, cancellationToken).AsTask()).ConfigureAwait(false))
        {
            Log.Claimed(_logger, DisplayName, claim.RotationId, _target.Name);
            return claim.RotationId;
        }

        Log.LostRace(_logger, DisplayName, "claim");
        return null;
    }

    private OpenAIKeyRotationResult Result(OpenAIKeyRotationOutcome outcome, DateTimeOffset? next, OpenAIKeyRotationState state, OpenAIKeyRotationPending? promoted = null)
        => new(outcome, next, promoted?.Key?.Fingerprint, promoted?.Record?.KeyId ?? state.Current?.KeyId);

    private async Task<T> StepAsync<T>(string step, Func<Task<T>> action)
    {
        var started = _time.GetTimestamp();
        try
        {
            var result = await action().ConfigureAwait(false);
            _metrics.RecordStep(DisplayName, _target.Name, step, "ok", _time.GetElapsedTime(started));
            return result;
        }
        catch (Exception)
        {
            _metrics.RecordStep(DisplayName, _target.Name, step, "failed", _time.GetElapsedTime(started));
            throw;
        }
    }
}
