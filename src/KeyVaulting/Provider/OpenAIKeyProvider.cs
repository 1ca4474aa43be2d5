using System.Globalization;
using System.Text;
using KeyVaulting.Diagnostics;
using KeyVaulting.Provider.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KeyVaulting.Provider;

/// <summary>
/// The rotation engine: serves the current key from memory, re-reads the chain of sources in the background, shares
/// one read among concurrent callers, backs off after failures and keeps serving the last known good key.
/// </summary>
internal sealed class OpenAIKeyProvider : IOpenAIKeyProvider, IDisposable, IAsyncDisposable
{
    private readonly IReadOnlyList<IOpenAIKeySource> _sources;
    private readonly IReadOnlyList<IOpenAIKeySource> _ownedSources;
    private readonly OpenAIKeyProviderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KeyVaultingMetrics _metrics;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();

    private volatile OpenAIKey? _current;
    private CancellationTokenSource _changeSource = new();
    private Task<OpenAIKey>? _inflight;
    private ITimer? _timer;
    private bool _isDisposed;

    // Guarded by _gate.
    private DateTimeOffset? _lastAttemptAt;
    private DateTimeOffset? _lastForcedAt;
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
        DisplayName = name.Length == 0 ? "default" : name;
        _sources = sources;
        _ownedSources = ownedSources;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _metrics.TrackKeyAge(DisplayName, KeyAgeSeconds);
    }

    /// <summary>Gets the provider's name; empty for the default provider.</summary>
    public string Name { get; }

    /// <summary>Gets the name used in logs, metrics and messages.</summary>
    public string DisplayName { get; }

    public IReadOnlyList<IOpenAIKeySource> Sources => _sources;

    public OpenAIKeyProviderOptions Options => _options;

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
            return new OpenAIKeyProviderStatus(_current, _lastSuccessAt, _lastError, _consecutiveFailures, _nextRefreshAt);
        }
    }

    public void Dispose()
    {
        if (StopLocked())
        {
            foreach (var source in _ownedSources)
            {
                if (source is IDisposable disposable)
                {
                    disposable.Dispose();
                }
                else if (source is IAsyncDisposable asyncDisposable)
                {
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? inflight;
        lock (_gate)
        {
            inflight = _inflight;
        }

        if (!StopLocked())
        {
            return;
        }

        if (inflight is not null)
        {
            try
            {
                await inflight.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The read was abandoned by disposal; its outcome no longer matters.
            }
        }

        foreach (var source in _ownedSources)
        {
            if (source is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else if (source is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    /// <summary>Stops the timer and cancels reads; returns true for the one caller that did it.</summary>
    private bool StopLocked()
    {
        lock (_gate)
        {
            if (_isDisposed)
            {
                return false;
            }

            _isDisposed = true;
            _timer?.Dispose();
            _timer = null;
            _nextRefreshAt = null;
        }

        _metrics.UntrackKeyAge(DisplayName);
        _disposed.Cancel();
        return true;
    }

    private async Task<OpenAIKey> ReadAsync(bool forced, CancellationToken cancellationToken)
    {
        Task<OpenAIKey> read;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_isDisposed, this);

            if (_inflight is not null)
            {
                read = _inflight;
            }
            else if (!forced && _current is { } current)
            {
                return current;
            }
            else if (forced ? WithinMinimumInterval(_lastForcedAt) : _current is null && WithinMinimumInterval(_lastAttemptAt))
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

    /// <summary>Forced reads are spaced by MinimumRefreshInterval; so are retries of a failed first load.</summary>
    private bool WithinMinimumInterval(DateTimeOffset? since)
        => since is { } at && _time.GetUtcNow() - at < _options.MinimumRefreshInterval;

    private Task<OpenAIKey> StartReadLocked(bool forced)
    {
        if (forced)
        {
            _lastForcedAt = _time.GetUtcNow();
        }

        var completion = new TaskCompletionSource<OpenAIKey>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inflight = completion.Task;

        // A background read may fail with nobody waiting: observe it so it never surfaces as unobserved.
        _ = completion.Task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        _ = Task.Run(() => RunReadAsync(completion));
        return completion.Task;
    }

    private async Task RunReadAsync(TaskCompletionSource<OpenAIKey> completion)
    {
        try
        {
            var outcome = await ReadChainAsync().ConfigureAwait(false);
            Apply(outcome, completion);
        }
        catch (Exception ex)
        {
            // Disposal cancelled the read, or something unexpected: never leave waiters hanging, and never let the
            // background refresh stop (ScheduleLocked does nothing once disposed).
            lock (_gate)
            {
                _inflight = null;
                _consecutiveFailures++;
                ScheduleLocked(RefreshSchedule.AfterFailure(_options, _consecutiveFailures, retryAfter: null, Random.Shared.NextDouble()));
            }

            completion.TrySetException(_isDisposed ? new ObjectDisposedException(nameof(OpenAIKeyProvider)) : ex);
        }
    }

    private async Task<ChainOutcome> ReadChainAsync()
    {
        var tried = new List<string>(_sources.Count);
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i];
            var started = _time.GetTimestamp();
            using var activity = KeyVaultingDiagnostics.ActivitySource.StartActivity(KeyVaultingDiagnostics.FetchActivity);
            activity?.SetTag(KeyVaultingDiagnostics.ProviderTag, DisplayName);
            activity?.SetTag(KeyVaultingDiagnostics.SourceTag, source.Name);

            OpenAIKeySourceResult result;
            try
            {
                using var timeout = new CancellationTokenSource(_options.SourceTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token);
                try
                {
                    result = await source.FetchAsync(linked.Token).ConfigureAwait(false)
                        ?? throw new OpenAIKeySourceException(source.Name, $"{source.Name} returned no result; a source must return Found or NotFound.", isTransient: false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_disposed.IsCancellationRequested)
                {
                    throw new OpenAIKeySourceException(
                        source.Name,
                        string.Create(CultureInfo.InvariantCulture, $"{source.Name} did not answer within {_options.SourceTimeout} (SourceTimeout)."),
                        isTransient: true);
                }
            }
            catch (OpenAIKeySourceException ex)
            {
                Record(source, KeyVaultingDiagnostics.OutcomeFailed, started, activity);
                return ChainOutcome.Failed(source, i, tried, ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_disposed.IsCancellationRequested)
            {
                Record(source, KeyVaultingDiagnostics.OutcomeFailed, started, activity);
                var wrapped = new OpenAIKeySourceException(source.Name, $"{source.Name} failed with {ex.GetType().Name}.", isTransient: true, innerException: ex);
                return ChainOutcome.Failed(source, i, tried, wrapped);
            }

            if (!result.IsFound)
            {
                Record(source, KeyVaultingDiagnostics.OutcomeNotFound, started, activity);
                Log.SourceHadNoKey(_logger, DisplayName, source.Name, result.Reason!);
                tried.Add($"{source.Name}: not found ({result.Reason})");
                continue;
            }

            if (!OpenAIKeyNormalizer.TryNormalize(result.Value!, out var value, out var notes, out var error))
            {
                Record(source, KeyVaultingDiagnostics.OutcomeFailed, started, activity);
                var invalid = new OpenAIKeySourceException(
                    source.Name,
                    $"The value in {source.Name} is not a usable OpenAI API key: it {error}. Put the bare key in the store.",
                    isTransient: false);
                return ChainOutcome.Failed(source, i, tried, invalid);
            }

            Record(source, KeyVaultingDiagnostics.OutcomeFound, started, activity);
            var key = new OpenAIKey(value, source.Name, result.Version, _time.GetUtcNow(), result.ExpiresAt);
            LogNotes(source.Name, key, notes);
            return ChainOutcome.Found(key);
        }

        return ChainOutcome.NoneFound(tried);
    }

    private void Apply(ChainOutcome outcome, TaskCompletionSource<OpenAIKey> completion)
    {
        CancellationTokenSource? changed = null;
        OpenAIKey? result;
        Exception? error = null;

        lock (_gate)
        {
            _inflight = null;
            var now = _time.GetUtcNow();
            _lastAttemptAt = now;
            var previous = _current;

            if (outcome.Key is { } key)
            {
                _lastSuccessAt = now;
                _consecutiveFailures = 0;
                _lastError = null;
                _lastUnavailable = null;

                if (previous is null)
                {
                    _current = key;
                    changed = SwapChangeSourceLocked();
                    Log.KeyLoaded(_logger, DisplayName, key.Fingerprint, key.Source, key.Version);
                }
                else if (previous != key || previous.Version != key.Version || previous.Source != key.Source)
                {
                    _current = key;
                    changed = SwapChangeSourceLocked();
                    _metrics.RecordRotation(DisplayName, key.Source);
                    Log.KeyRotated(_logger, DisplayName, previous.Fingerprint, key.Fingerprint, key.Source, key.Version);
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

                ScheduleLocked(RefreshSchedule.AfterSuccess(_options, key, now, Random.Shared.NextDouble()));
            }
            else
            {
                _consecutiveFailures++;
                var reason = outcome.Failure?.Message ?? "no source of the chain has a key.";
                _lastError = reason;
                var delay = RefreshSchedule.AfterFailure(_options, _consecutiveFailures, outcome.Failure?.RetryAfter, Random.Shared.NextDouble());
                ScheduleLocked(delay);

                if (previous is not null)
                {
                    result = previous;
                    Log.RefreshFailedServingLastKnownGood(
                        _logger, DisplayName, outcome.Source?.Name ?? "every source", reason, previous.Fingerprint, delay, outcome.Failure);
                }
                else
                {
                    result = null;
                    _lastUnavailable = new OpenAIKeyUnavailableException(Name, DescribeUnavailable(outcome), outcome.Failure);
                    error = _lastUnavailable;
                    Log.NoKey(_logger, DisplayName, reason, outcome.Failure);
                }
            }
        }

        FireChange(changed);

        if (result is not null)
        {
            completion.TrySetResult(result);
        }
        else
        {
            completion.TrySetException(error!);
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

            _ = StartReadLocked(forced: false);
        }
    }

    private void Record(IOpenAIKeySource source, string outcome, long started, System.Diagnostics.Activity? activity)
    {
        activity?.SetTag(KeyVaultingDiagnostics.OutcomeTag, outcome);
        _metrics.RecordFetch(DisplayName, source.Name, outcome, _time.GetElapsedTime(started));
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

    private double? KeyAgeSeconds()
    {
        lock (_gate)
        {
            return _lastSuccessAt is { } at ? (_time.GetUtcNow() - at).TotalSeconds : null;
        }
    }

    private string DescribeUnavailable(ChainOutcome outcome)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"No OpenAI API key is available for the {(Name.Length == 0 ? "default OpenAI key provider" : $"OpenAI key provider '{Name}'")}. Sources tried, in order:");
        var number = 1;
        foreach (var line in outcome.Tried)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {number++}. {line}");
        }

        if (outcome.Failure is { } failure)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {number++}. {outcome.Source!.Name}: failed ({failure.Message})");
            for (var i = outcome.SourceIndex + 1; i < _sources.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {number++}. {_sources[i].Name}: not tried (the chain stops at a failure so that an outage never switches to another key)");
            }
        }

        text.Append("\nPut the key in one of these sources, for example set the OPENAI_API_KEY environment variable, or fix the failing source.");
        return text.ToString();
    }

    private sealed class ChainOutcome
    {
        private ChainOutcome(OpenAIKey? key, IOpenAIKeySource? source, int sourceIndex, IReadOnlyList<string> tried, OpenAIKeySourceException? failure)
        {
            Key = key;
            Source = source;
            SourceIndex = sourceIndex;
            Tried = tried;
            Failure = failure;
        }

        public OpenAIKey? Key { get; }

        public IOpenAIKeySource? Source { get; }

        public int SourceIndex { get; }

        public IReadOnlyList<string> Tried { get; }

        public OpenAIKeySourceException? Failure { get; }

        public static ChainOutcome Found(OpenAIKey key) => new(key, null, -1, [], null);

        public static ChainOutcome NoneFound(IReadOnlyList<string> tried) => new(null, null, -1, tried, null);

        public static ChainOutcome Failed(IOpenAIKeySource source, int index, IReadOnlyList<string> tried, OpenAIKeySourceException failure)
            => new(null, source, index, tried, failure);
    }
}
