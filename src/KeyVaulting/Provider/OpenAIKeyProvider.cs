using System.Globalization;
using System.Text;
using KeyVaulting.Diagnostics;
using KeyVaulting.Provider.Internal;
using KeyVaulting.Sources.EnvironmentVariable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KeyVaulting.Provider;

/// <summary>
/// The rotation engine: serves the current key from memory, re-reads the chain of sources in the background, shares
/// one read among concurrent callers, backs off after failures and keeps serving the last known good key. The rules
/// for a key OpenAI rejects are in <c>OpenAIKeyProvider.Rejection.cs</c>, the watchers of owned sources in
/// <c>OpenAIKeyProvider.Watchers.cs</c>.
/// </summary>
internal sealed partial class OpenAIKeyProvider : IOpenAIKeyProvider, IDisposable, IAsyncDisposable
{
    private readonly IReadOnlyList<IOpenAIKeySource> _sources;
    private readonly IReadOnlyList<IOpenAIKeySource> _ownedSources;
    private readonly OpenAIKeyProviderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyVaultingMetrics _metrics;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();

    // Per source: a fetch abandoned at SourceTimeout because the source ignored its token. Written and read by one
    // read at a time (reads are single-flight).
    private readonly Task?[] _abandonedFetches;

    private volatile OpenAIKey? _current;
    private CancellationTokenSource _changeSource = new();

    // The index in _sources of the source that served _current; guarded by _gate.
    // Stryker disable once Unary : read only while _current is set, and the read that sets _current sets it too
    private int _currentSourceIndex = -1;
    private ITimer? _timer;
    private bool _isDisposed;

    // Guarded by _gate. Intervals are measured on the monotonic clock (GetTimestamp), so that a step of the wall
    // clock neither turns off forced reads nor makes a fresh key look stale; wall time is kept for what people see.
    private Task<OpenAIKey>? _inflight;
    private TaskCompletionSource<OpenAIKey>? _inflightCompletion;
    private bool _inflightForced;
    private TaskCompletionSource<OpenAIKey>? _queuedForced;
    private Task _running = Task.CompletedTask;
    private long? _lastAttemptTimestamp;
    private long? _lastForcedTimestamp;
    private long? _lastSuccessTimestamp;
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _nextRefreshAt;
    private string? _lastError;
    private int _consecutiveFailures;
    private OpenAIKeyUnavailableException? _lastUnavailable;

    public OpenAIKeyProvider(
        string name,
        IReadOnlyList<IOpenAIKeySource> sources,
        IReadOnlyList<IOpenAIKeySource> ownedSources,
        OpenAIKeyProviderOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        KeyVaultingMetrics metrics)
    {
        Name = name;
        DisplayName = ProviderNames.Display(name);
        _sources = sources;
        _abandonedFetches = new Task?[sources.Count];
        _ownedSources = ownedSources;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _metrics.TrackKeyAge(DisplayName, KeyAgeSeconds);
        _metrics.TrackKeyRejected(DisplayName, IsKeyRejected);
        _watchers = new IKeySourceWatcher?[sources.Count];
    }

    /// <summary>Gets the provider's name; empty for the default provider.</summary>
    public string Name { get; }

    /// <summary>Gets the name used in logs, metrics and messages.</summary>
    public string DisplayName { get; }

    public IReadOnlyList<IOpenAIKeySource> Sources => _sources;

    public OpenAIKeyProviderOptions Options => _options;

    /// <summary>Gets the provider's clock: the application's <see cref="TimeProvider"/>.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Gets a value indicating whether the provider has been disposed.</summary>
    internal bool IsDisposed => Volatile.Read(ref _isDisposed);

    public ValueTask<OpenAIKey> GetKeyAsync(CancellationToken cancellationToken = default)
    {
        // Hot path: one volatile read.
        var key = _current;
        return key is not null
            ? new ValueTask<OpenAIKey>(key)
            : new ValueTask<OpenAIKey>(ReadAsync(forced: false, cancellationToken));
    }

    public ValueTask<OpenAIKey> RefreshAsync(CancellationToken cancellationToken = default)
        => new(ReadAsync(forced: true, cancellationToken));

    /// <summary>Gets the read in flight, or a completed task: lets tests await a background read started by the timer.</summary>
    internal Task PendingRead
    {
        get
        {
            lock (_gate)
            {
                return _inflight is { } read ? read.ContinueWith(static _ => { }, TaskScheduler.Default) : Task.CompletedTask;
            }
        }
    }

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changeSource).Token);

    public OpenAIKeyProviderStatus GetStatus()
    {
        lock (_gate)
        {
            var sinceLastSuccess = _lastSuccessTimestamp is { } at ? _time.GetElapsedTime(at) : (TimeSpan?)null;
            var rejection = _rejection is { } rejected ? rejected.ToStatus(_time.GetElapsedTime(rejected.SinceTimestamp)) : (KeyRejectionStatus?)null;
            return new OpenAIKeyProviderStatus(_current, _lastSuccessAt, sinceLastSuccess, _lastError, _consecutiveFailures, _nextRefreshAt, rejection);
        }
    }

    public void Dispose() => DisposeCoreAsync().GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => new(DisposeCoreAsync());

    /// <summary>
    /// Stops the timer, releases every waiter at once with <see cref="ObjectDisposedException"/>, waits for the read in
    /// flight (which ends at once when its source honours cancellation, and at its SourceTimeout otherwise), then
    /// disposes the sources the provider owns, each within SourceTimeout: host shutdown never hangs on a source.
    /// </summary>
    private async Task DisposeCoreAsync()
    {
        Task running;
        TaskCompletionSource<OpenAIKey>? inflight;
        TaskCompletionSource<OpenAIKey>? queued;
        lock (_gate)
        {
            if (_isDisposed)
            {
                return;
            }

            _isDisposed = true;
            _timer?.Dispose();
            _timer = null;
            _nextRefreshAt = null;
            running = _running;
            inflight = _inflightCompletion;
            queued = _queuedForced;
            _queuedForced = null;
            DisposeWatchersLocked();
        }

        _metrics.UntrackKeyAge(DisplayName);
        _metrics.UntrackKeyRejected(DisplayName);
        _disposed.Cancel();
        inflight?.TrySetException(new ObjectDisposedException(nameof(OpenAIKeyProvider)));
        queued?.TrySetException(new ObjectDisposedException(nameof(OpenAIKeyProvider)));

        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The read was abandoned by disposal; its outcome no longer matters.
        }

        foreach (var source in _ownedSources)
        {
            if (source is IAsyncDisposable or IDisposable)
            {
                await DisposeSourceAsync(source).ConfigureAwait(false);
            }
        }
    }

    private async Task DisposeSourceAsync(IOpenAIKeySource source)
    {
        // On a thread of its own and bounded: a disposal that blocks its caller or never ends is abandoned.
        var disposal = Task.Run(async () =>
        {
            if (source is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                ((IDisposable)source).Dispose();
            }
        });

        try
        {
            await disposal.WaitAsync(_options.SourceTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!disposal.IsCompleted)
        {
            Observe(disposal);
            Log.SourceDisposalAbandoned(_logger, DisplayName, SafeName(source), _options.SourceTimeout);
        }
    }

    private async Task<OpenAIKey> ReadAsync(bool forced, CancellationToken cancellationToken)
    {
        Task<OpenAIKey> read;
        lock (_gate)
        {
            // Stryker disable once Statement : without it the read started below fails with ObjectDisposedException before calling any source (ReadChainAsync checks the disposal token first): the caller gets the same exception
            ObjectDisposedException.ThrowIf(_isDisposed, this);

            if (_inflight is not null)
            {
                read = forced && !_inflightForced ? ForcedReadAfterInflightLocked() : _inflight;
            }
            else if (!forced && _current is { } current)
            {
                return current;
            }
            else if (forced ? WithinMinimumInterval(_lastForcedTimestamp) : _current is null && WithinMinimumInterval(_lastAttemptTimestamp))
            {
                if (_current is { } latest)
                {
                    return latest;
                }

                if (_lastUnavailable is { } unavailable)
                {
                    // A new instance per caller: one exception object must not be thrown on several threads at once.
                    throw new OpenAIKeyUnavailableException(Name, unavailable.Message, unavailable.InnerException);
                }

                read = StartReadLocked(forced);
            }
            else
            {
                read = StartReadLocked(forced);
            }
        }

        return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A forced read that arrives while a periodic or first read is in flight: that read may have started before the
    /// key was revoked, and may return it, so a forced read is queued behind it (see <see cref="EndReadLocked"/>);
    /// forced callers share one such read. Inside MinimumRefreshInterval of the last forced read, callers get the read
    /// in flight instead.
    /// </summary>
    private Task<OpenAIKey> ForcedReadAfterInflightLocked()
    {
        if (_queuedForced is { } queued)
        {
            return queued.Task;
        }

        if (WithinMinimumInterval(_lastForcedTimestamp))
        {
            return _inflight!;
        }

        _lastForcedTimestamp = _time.GetTimestamp();
        _queuedForced = NewCompletion();
        return _queuedForced.Task;
    }

    /// <summary>Forced reads are spaced by MinimumRefreshInterval; so are retries of a failed first load.</summary>
    private bool WithinMinimumInterval(long? since)
        => since is { } at && _time.GetElapsedTime(at) < _options.MinimumRefreshInterval;

    private static TaskCompletionSource<OpenAIKey> NewCompletion()
    {
        var completion = new TaskCompletionSource<OpenAIKey>(TaskCreationOptions.RunContinuationsAsynchronously);

        // A background read may fail with nobody waiting: observe it so it never surfaces as unobserved.
        Observe(completion.Task);
        return completion;
    }

    private static void Observe(Task task)
        => _ = task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            // Stryker disable once Bitwise : with & the continuation also runs for tasks that did not fault, where reading Exception returns null: nothing changes
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private Task<OpenAIKey> StartReadLocked(bool forced, TaskCompletionSource<OpenAIKey>? queued = null)
    {
        if (forced && queued is null)
        {
            _lastForcedTimestamp = _time.GetTimestamp();
        }

        var completion = queued ?? NewCompletion();
        _inflight = completion.Task;
        _inflightCompletion = completion;
        _inflightForced = forced;

        // Absence after presence: the source that served the key keeps it when it reports none, unless OpenAI rejects it.
        var keepFrom = _current is not null && _rejection is null ? _currentSourceIndex : -1;
        _running = Task.Run(() => RunReadAsync(completion, keepFrom));
        return completion.Task;
    }

    /// <summary>
    /// Ends the read of <paramref name="completion"/>. The forced read queued behind it runs only when that read kept
    /// the key without a failure (found it unchanged, or kept it after its source reported none): the forced callers
    /// were refused that key, and the read may have started before the rotation (or before OpenAI rejected the key).
    /// When it found a new key, or failed (a store that has just failed is not read again at once), the forced callers
    /// share its outcome: the returned completion is to be completed like <paramref name="completion"/>.
    /// </summary>
    private TaskCompletionSource<OpenAIKey>? EndReadLocked(TaskCompletionSource<OpenAIKey> completion, bool foundKeyUnchanged)
    {
        if (!ReferenceEquals(_inflightCompletion, completion))
        {
            return null;
        }

        _inflight = null;
        _inflightCompletion = null;
        if (_queuedForced is not { } queued)
        {
            return null;
        }

        _queuedForced = null;
        if (foundKeyUnchanged && !_isDisposed)
        {
            _ = StartReadLocked(forced: true, queued);
            return null;
        }

        return queued;
    }

    private async Task RunReadAsync(TaskCompletionSource<OpenAIKey> completion, int keepFrom)
    {
        try
        {
            var outcome = await ReadChainAsync(keepFrom).ConfigureAwait(false);
            _disposed.Token.ThrowIfCancellationRequested();
            Apply(outcome, completion);
        }
        catch (Exception ex)
        {
            // Disposal cancelled the read, or something unexpected: never leave waiters hanging, and never let the
            // background refresh stop (ScheduleLocked does nothing once disposed).
            TaskCompletionSource<OpenAIKey>? follower;
            lock (_gate)
            {
                _consecutiveFailures++;
                ScheduleLocked(RefreshSchedule.AfterFailure(_options, _consecutiveFailures, retryAfter: null, Random.Shared.NextDouble()));
                follower = EndReadLocked(completion, foundKeyUnchanged: false);
            }

            completion.TrySetException(_isDisposed ? new ObjectDisposedException(nameof(OpenAIKeyProvider)) : ex);
            follower?.TrySetException(_isDisposed ? new ObjectDisposedException(nameof(OpenAIKeyProvider)) : ex);
        }
    }

    /// <summary>
    /// Reads the chain in order: the first source that has a key wins, a source that fails stops the chain, and a
    /// source that has no key falls through, except the source of index <paramref name="keepFrom"/> (the one that
    /// served the key, when OpenAI has not rejected it), whose absence keeps the last good key.
    /// </summary>
    private async Task<ChainOutcome> ReadChainAsync(int keepFrom)
    {
        var tried = new List<string>(_sources.Count);
        for (var i = 0; i < _sources.Count; i++)
        {
            _disposed.Token.ThrowIfCancellationRequested();
            var source = _sources[i];
            var name = SafeName(source);
            var started = _time.GetTimestamp();
            using var activity = KeyVaultingDiagnostics.ActivitySource.StartActivity(KeyVaultingDiagnostics.FetchActivity);
            activity?.SetTag(KeyVaultingDiagnostics.ProviderTag, DisplayName);
            activity?.SetTag(KeyVaultingDiagnostics.SourceTag, name);

            OpenAIKeySourceResult result;
            try
            {
                result = await FetchAsync(i, source, name).ConfigureAwait(false);
            }
            catch (OpenAIKeySourceException ex)
            {
                Record(name, KeyVaultingDiagnostics.OutcomeFailed, started, activity);
                return ChainOutcome.Failed(name, i, tried, ex);
            }
            // Stryker disable once Equality : the two conditions differ only once the provider is disposed, where either path ends the read with ObjectDisposedException for its waiters
            catch (Exception ex) when (ex is not OperationCanceledException || !_disposed.IsCancellationRequested)
            {
                Record(name, KeyVaultingDiagnostics.OutcomeFailed, started, activity);
                var wrapped = new OpenAIKeySourceException(name, $"{name} failed with {ex.GetType().Name}.", isTransient: true, innerException: ex);
                return ChainOutcome.Failed(name, i, tried, wrapped);
            }

            if (!result.IsFound)
            {
                Record(name, KeyVaultingDiagnostics.OutcomeNotFound, started, activity);
                if (i == keepFrom)
                {
                    return ChainOutcome.Absent(name, i, tried, result.Reason!);
                }

                Log.SourceHadNoKey(_logger, DisplayName, name, result.Reason!);
                tried.Add($"{name}: not found ({result.Reason})");
                continue;
            }

            if (!OpenAIKeyNormalizer.TryNormalize(result.Value!, out var value, out var notes, out var error))
            {
                Record(name, KeyVaultingDiagnostics.OutcomeFailed, started, activity);
                var invalid = new OpenAIKeySourceException(
                    name,
                    $"The value in {name} is not a usable OpenAI API key: it {error}. Put the bare key in the store.",
                    isTransient: false);
                return ChainOutcome.Failed(name, i, tried, invalid);
            }

            Record(name, KeyVaultingDiagnostics.OutcomeFound, started, activity);
            var key = new OpenAIKey(value, name, result.Version, _time.GetUtcNow(), result.ExpiresAt);
            LogNotes(name, key, notes);
            return ChainOutcome.Found(key, i);
        }

        return ChainOutcome.NoneFound(tried);
    }

    /// <summary>
    /// Fetches from one source, bounded by SourceTimeout whatever the source does. The fetch runs on a thread of its
    /// own, so a source that blocks its caller (a read of a named pipe) blocks only that thread; a fetch still running
    /// at the timeout is abandoned, its outcome observed and never awaited. A source is never asked to fetch twice at
    /// once: while an abandoned fetch of it runs, the next read waits for it (within its own SourceTimeout) before
    /// calling the source again. A source that honours its token ends at once; one that does not is not called again
    /// until it ends.
    /// </summary>
    private async Task<OpenAIKeySourceResult> FetchAsync(int index, IOpenAIKeySource source, string name)
    {
        var timeout = new CancellationTokenSource(_options.SourceTimeout, _time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token);
        Task<OpenAIKeySourceResult>? fetch = null;
        try
        {
            if (_abandonedFetches[index] is { IsCompleted: false } abandoned)
            {
                Log.WaitingForAbandonedFetch(_logger, DisplayName, name);
                await Task.WhenAny(abandoned, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
                if (!abandoned.IsCompleted)
                {
                    throw new OpenAIKeySourceException(
                        name,
                        string.Create(CultureInfo.InvariantCulture, $"{name} has not ended a fetch abandoned after {_options.SourceTimeout} (SourceTimeout), and is not called again until it does. A source must answer, or honour its cancellation token."),
                        isTransient: true);
                }

                _disposed.Token.ThrowIfCancellationRequested();
            }

            fetch = Task.Run(() => source.FetchAsync(linked.Token).AsTask(), CancellationToken.None);

            // Bounded by the timeout alone: on disposal, a source that honours its token ends at once, and one that
            // does not is waited for until its SourceTimeout, no longer.
            return await fetch.WaitAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new OpenAIKeySourceException(name, $"{name} returned no result; a source must return Found or NotFound.", isTransient: false);
        }
        catch (OperationCanceledException) when (fetch is not null && timeout.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            throw new OpenAIKeySourceException(
                name,
                string.Create(CultureInfo.InvariantCulture, $"{name} did not answer within {_options.SourceTimeout} (SourceTimeout)."),
                isTransient: true);
        }
        finally
        {
            if (fetch is null || fetch.IsCompleted)
            {
                linked.Dispose();
                timeout.Dispose();
            }
            else
            {
                var ended = fetch.ContinueWith(
                    t =>
                    {
                        _ = t.Exception;
                        linked.Dispose();
                        timeout.Dispose();
                        Log.AbandonedFetchEnded(_logger, DisplayName, name);
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                // Stryker disable once Statement : the continuation only reads the fetch's exception, disposes two token sources and logs at Information: it does not fault
                Observe(ended);
                _abandonedFetches[index] = ended;
            }
        }
    }

    /// <summary>The source's name as it may be shown: a part that has the shape of a secret is masked.</summary>
    private static string SafeName(IOpenAIKeySource source)
        => source.Name is { } name && !string.IsNullOrWhiteSpace(name) ? SecretShapes.MaskName(name) : source.GetType().Name;

    private void Apply(ChainOutcome outcome, TaskCompletionSource<OpenAIKey> completion)
    {
        CancellationTokenSource? changed = null;
        OpenAIKey? result;
        OpenAIKeyUnavailableException? error = null;
        TaskCompletionSource<OpenAIKey>? follower;

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var timestamp = _time.GetTimestamp();
            _lastAttemptTimestamp = timestamp;
            var previous = _current;

            if (outcome.Key is { } key)
            {
                _lastSuccessAt = now;
                _lastSuccessTimestamp = timestamp;
                _consecutiveFailures = 0;
                _lastError = null;
                _lastUnavailable = null;
                _currentSourceIndex = outcome.SourceIndex;

                if (previous is null)
                {
                    _current = key;
                    changed = SwapChangeSourceLocked();
                    Log.KeyLoaded(_logger, DisplayName, key.Fingerprint, key.Source, key.Version ?? Log.NoVersion);
                }
                else if (previous != key || previous.Version != key.Version || previous.Source != key.Source)
                {
                    _current = key;
                    changed = SwapChangeSourceLocked();
                    _metrics.RecordRotation(DisplayName, key.Source);
                    Log.KeyRotated(_logger, DisplayName, previous.Fingerprint, key.Fingerprint, key.Source, key.Version ?? Log.NoVersion);
                }
                else
                {
                    if (previous.ExpiresAt != key.ExpiresAt)
                    {
                        // Same key, new lease: serve the object with the fresh expiry; it is not a rotation.
                        _current = key;
                    }

                    Log.KeyUnchanged(_logger, DisplayName, key.Source, key.Fingerprint);
                }

                result = _current;
                if (key.ExpiresAt is { } expiresAt && expiresAt <= now)
                {
                    Log.KeyExpired(_logger, key.Source, key.Fingerprint, expiresAt);
                }

                if (changed is not null && _rejection is { } rejection && rejection.Key != key)
                {
                    EndRejectionLocked(rejection, $"key {key.Fingerprint} from {key.Source} is served now");
                }

                ScheduleLocked(WhileRejectedLocked(RefreshSchedule.AfterSuccess(_options, key, now, Random.Shared.NextDouble())));
            }
            else
            {
                _consecutiveFailures++;
                var reason = outcome.Failure?.Message
                    ?? (outcome.AbsenceReason is { } absence && previous is not null
                        ? DescribeAbsence(outcome.SourceName!, absence, previous)
                        : "no source of the chain has a key.");
                _lastError = reason;
                var delay = RefreshSchedule.AfterFailure(_options, _consecutiveFailures, outcome.Failure?.RetryAfter, Random.Shared.NextDouble());
                if (_rejection is { } rejected)
                {
                    rejected.Reads++;
                }

                ScheduleLocked(delay);

                if (previous is not null)
                {
                    result = previous;
                    Log.RefreshFailedServingLastKnownGood(
                        _logger, DisplayName, outcome.SourceName ?? "every source", reason, previous.Fingerprint, delay, outcome.Failure);
                }
                else
                {
                    result = null;
                    _lastUnavailable = new OpenAIKeyUnavailableException(Name, DescribeUnavailable(outcome), outcome.Failure);
                    error = _lastUnavailable;
                    // The exception goes to every caller (the host prints it when startup fails): logging it here too
                    // printed the same text three times. The message carries the reason; Debug keeps the details.
                    Log.NoKey(_logger, DisplayName, reason);
                    if (outcome.Failure is not null)
                    {
                        Log.NoKeyDetails(_logger, DisplayName, outcome.Failure);
                    }
                }
            }

            var keptWithoutFailure = outcome.Key is not null || outcome.AbsenceReason is not null;
            follower = EndReadLocked(completion, foundKeyUnchanged: keptWithoutFailure && previous is not null && changed is null);
            UpdateWatchersLocked();
        }

        FireChange(changed);

        if (result is not null)
        {
            completion.TrySetResult(result);
            follower?.TrySetResult(result);
        }
        else
        {
            completion.TrySetException(error!);

            // A new instance: one exception object must not be thrown on several threads at once.
            follower?.TrySetException(new OpenAIKeyUnavailableException(Name, error!.Message, error.InnerException));
        }
    }

    private CancellationTokenSource SwapChangeSourceLocked()
        => Interlocked.Exchange(ref _changeSource, new CancellationTokenSource());

    private void FireChange(CancellationTokenSource? changed)
    {
        if (changed is null)
        {
            return;
        }

        try
        {
            changed.Cancel();
        }
        catch (AggregateException ex)
        {
            Log.ChangeCallbackFailed(_logger, DisplayName, ex);
        }
    }

    private void ScheduleLocked(TimeSpan due)
    {
        if (_isDisposed)
        {
            return;
        }

        _nextRefreshAt = _time.GetUtcNow() + due;
        if (_timer is null)
        {
            _timer = _time.CreateTimer(static state => ((OpenAIKeyProvider)state!).OnTimer(), this, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_isDisposed || _inflight is not null)
            {
                return;
            }

            // While the key is rejected the timer's reads are the rejection's (spaced like forced reads).
            _ = StartReadLocked(forced: _rejection is not null);
        }
    }

    private void Record(string sourceName, string outcome, long started, System.Diagnostics.Activity? activity)
    {
        activity?.SetTag(KeyVaultingDiagnostics.OutcomeTag, outcome);
        _metrics.RecordFetch(DisplayName, sourceName, outcome, _time.GetElapsedTime(started));
    }

    private void LogNotes(string sourceName, OpenAIKey key, KeyNormalizationNotes notes)
    {
        if ((notes & KeyNormalizationNotes.QuotesStripped) != 0)
        {
            Log.QuotesStripped(_logger, sourceName);
        }

        if ((notes & KeyNormalizationNotes.BearerPrefixStripped) != 0)
        {
            Log.BearerPrefixStripped(_logger, sourceName);
        }

        if ((notes & KeyNormalizationNotes.AdminKey) != 0)
        {
            Log.AdminKey(_logger, sourceName, key.Fingerprint);
        }

        if ((notes & KeyNormalizationNotes.UnknownShape) != 0)
        {
            Log.UnknownKeyShape(_logger, sourceName, key.Fingerprint);
        }
    }

    /// <summary>
    /// The reason a source that served the key and now reports none gives for keeping it: the rule, and the two fixes.
    /// </summary>
    private static string DescribeAbsence(string sourceName, string reason, OpenAIKey kept)
        => $"{sourceName} no longer has a key ({reason}). Its last key {kept.Fingerprint} is kept: a source that served the key and then has none is far more often " +
           $"an accident or an outage than a decision, so the chain falls through to the next source only when OpenAI rejects the kept key. " +
           $"Put the key back in {sourceName}, or remove {sourceName} from the chain.";

    private double? KeyAgeSeconds()
    {
        lock (_gate)
        {
            return _lastSuccessTimestamp is { } at ? _time.GetElapsedTime(at).TotalSeconds : null;
        }
    }

    private string DescribeUnavailable(ChainOutcome outcome)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"No OpenAI API key is available for the {(Name.Length == 0 ? "default OpenAI key provider" : $"OpenAI key provider '{DisplayName}'")}. Sources tried, in order:");
        var number = 1;
        foreach (var line in outcome.Tried)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {number++}. {line}");
        }

        if (outcome.Failure is { } failure)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {number++}. {outcome.SourceName}: failed ({failure.Message})");
            for (var i = outcome.SourceIndex + 1; i < _sources.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {number++}. {SafeName(_sources[i])}: not tried (the chain stops at a failure so that an outage never switches to another key)");
            }
        }

        text.Append('\n').Append(Advice(outcome));
        return text.ToString();
    }

    /// <summary>
    /// What to do next, naming only what this chain can use: a chain without an environment variable (a Key Vault-only
    /// production chain) is not told to set one.
    /// </summary>
    private string Advice(ChainOutcome outcome)
    {
        if (outcome.Failure is not null)
        {
            return $"Fix {outcome.SourceName} as its message says; the chain is read again at the next refresh.";
        }

        var variable = _sources.OfType<EnvironmentVariableKeySource>().FirstOrDefault()?.Variable;
        return _sources.Count switch
        {
            1 => $"Put the key in {SafeName(_sources[0])}.",
            _ when variable is not null => $"Put the key in one of these sources, for example set the {variable} environment variable.",
            _ => "Put the key in one of these sources.",
        };
    }

    private sealed class ChainOutcome
    {
        private ChainOutcome(OpenAIKey? key, string? sourceName, int sourceIndex, IReadOnlyList<string> tried, OpenAIKeySourceException? failure, string? absenceReason = null)
        {
            Key = key;
            SourceName = sourceName;
            SourceIndex = sourceIndex;
            Tried = tried;
            Failure = failure;
            AbsenceReason = absenceReason;
        }

        public OpenAIKey? Key { get; }

        /// <summary>Gets the name, as it may be shown, of the source that failed or reported the served key absent.</summary>
        public string? SourceName { get; }

        /// <summary>Gets the index of the source that found the key, failed or reported the served key absent.</summary>
        public int SourceIndex { get; }

        public IReadOnlyList<string> Tried { get; }

        public OpenAIKeySourceException? Failure { get; }

        /// <summary>Gets why the source that served the key has none now, when the read kept the last good key for it.</summary>
        public string? AbsenceReason { get; }

        public static ChainOutcome Found(OpenAIKey key, int index) => new(key, null, index, [], null);

        // Stryker disable once Unary : the index of an outcome that found nothing is never read: only a found key, a failure and an absence have a source
        public static ChainOutcome NoneFound(IReadOnlyList<string> tried) => new(null, null, -1, tried, null);

        public static ChainOutcome Failed(string sourceName, int index, IReadOnlyList<string> tried, OpenAIKeySourceException failure)
            => new(null, sourceName, index, tried, failure);

        public static ChainOutcome Absent(string sourceName, int index, IReadOnlyList<string> tried, string reason)
            => new(null, sourceName, index, tried, null, reason);
    }
}
