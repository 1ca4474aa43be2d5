using System.Runtime.CompilerServices;
using KeyVaulting.Provider;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Keeps a flood of 401 and 429 answers out of the log: the first answer of a kind for a key is logged in full (the
/// caller logs it when <see cref="First"/> returns <see langword="true"/>), the repeats are counted, a summary with their
/// count is logged at most once per interval while they go on (event 414), and one line when they stop (event 415):
/// after a whole interval without one, or, for a 401, once the provider serves another key.
/// </summary>
/// <remarks>
/// One instance per provider, shared by every client of it (the OpenAI clients and every handler the
/// <c>IHttpClientFactory</c> builds), kept with the provider and collected with it. Memory is bounded: one running
/// count per <see cref="OpenAIAnswerKind"/>, whatever the number of requests or keys.
/// </remarks>
internal sealed class OpenAIAnswerLog
{
    /// <summary>The default interval between two summaries: 30 seconds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    private static readonly ConditionalWeakTable<IOpenAIKeyProvider, OpenAIAnswerLog> PerProvider = new();

    private readonly IOpenAIKeyProvider _provider;
    private readonly string _providerName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly object _gate = new();
    private readonly Episode?[] _episodes = new Episode?[Enum.GetValues<OpenAIAnswerKind>().Length];

    private OpenAIAnswerLog(IOpenAIKeyProvider provider, string providerName, ILogger logger, TimeSpan interval)
    {
        _provider = provider;
        _providerName = providerName;
        _logger = logger;
        _interval = interval;
#if KEYVAULTING_CORE
        _time = provider is OpenAIKeyProvider own ? own.Time : TimeProvider.System;
#else
        _time = TimeProvider.System;
#endif
        ChangeToken.OnChange(provider.GetChangeToken, OnKeyChanged);
    }

    /// <summary>Gets the log of <paramref name="provider"/>, created by its first client with that client's logger and interval.</summary>
    public static OpenAIAnswerLog For(IOpenAIKeyProvider provider, string providerName, ILogger logger, TimeSpan? interval)
        => PerProvider.GetValue(provider, p => new OpenAIAnswerLog(p, providerName, logger, interval ?? DefaultInterval));

    /// <summary>
    /// Counts an answer of <paramref name="kind"/> to <paramref name="key"/>, and returns whether it is the first of a
    /// run (for a new key, or after the last run stopped): the caller then logs it in full.
    /// </summary>
    public bool First(OpenAIAnswerKind kind, OpenAIKey? key, string error)
    {
        Ended? ended = null;
        lock (_gate)
        {
            var episode = _episodes[(int)kind];
            if (episode is not null && episode.Key == key)
            {
                episode.Total++;
                episode.SinceSummary++;
                return false;
            }

            if (episode is not null)
            {
                ended = CloseLocked(episode, $"key {key?.Fingerprint ?? "(none)"} gets them now");
            }

            episode = new Episode(this, kind, key, error, _time.GetUtcNow(), _time.GetTimestamp());
            _episodes[(int)kind] = episode;
            episode.Timer = _time.CreateTimer(static state => ((Episode)state!).Owner.Tick((Episode)state), episode, _interval, _interval);
        }

        Write(ended);
        return true;
    }

    private void Tick(Episode episode)
    {
        Summary? summary = null;
        Ended? ended = null;
        lock (_gate)
        {
            if (!ReferenceEquals(_episodes[(int)episode.Kind], episode))
            {
                return;
            }

            if (episode.SinceSummary > 0)
            {
                summary = new Summary(episode, episode.SinceSummary, episode.Total);
                episode.SinceSummary = 0;
            }
            else
            {
                ended = CloseLocked(episode, $"none for {_interval}");
            }
        }

        try
        {
            if (summary is { } s)
            {
                OpenAILog.AnswersRepeated(
                    _logger, Level(s.Episode.Kind), _providerName, s.Count, Answer(s.Episode), s.Episode.Fingerprint, _interval, s.Total, s.Episode.Since, Advice(s.Episode.Kind));
            }

            Write(ended);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or AggregateException)
        {
            // The application is stopping and its loggers are gone: a summary is not worth failing the timer thread.
        }
    }

    private void OnKeyChanged()
    {
        OpenAIKey? current;
#if KEYVAULTING_CORE
        if (_provider is OpenAIKeyProvider own)
        {
            current = own.GetStatus().Key;
        }
        else
#endif
        {
            var pending = _provider.GetKeyAsync();
            current = pending.IsCompletedSuccessfully ? pending.Result : null;
            if (!pending.IsCompleted)
            {
                _ = pending.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }

        if (current is null)
        {
            return;
        }

        List<Ended>? ended = null;
        lock (_gate)
        {
            foreach (var episode in _episodes)
            {
                // A 401 run is about one key: once another key is served it is over. A 429 run is about the account.
                if (episode is not null && episode.Kind < OpenAIAnswerKind.InsufficientQuota && episode.Key != current)
                {
                    (ended ??= []).Add(CloseLocked(episode, $"the provider serves key {current.Fingerprint} now"));
                }
            }
        }

        foreach (var end in ended ?? [])
        {
            Write(end);
        }
    }

    private Ended CloseLocked(Episode episode, string reason)
    {
        _episodes[(int)episode.Kind] = null;
        episode.Timer?.Dispose();
        return new Ended(episode, reason, _time.GetElapsedTime(episode.SinceTimestamp));
    }

    private void Write(Ended? ended)
    {
        if (ended is { } e)
        {
            OpenAILog.AnswersStopped(_logger, _providerName, Answer(e.Episode), e.Episode.Fingerprint, e.Reason, e.Episode.Total, e.Episode.Since, e.Duration);
        }
    }

    private static LogLevel Level(OpenAIAnswerKind kind) => kind switch
    {
        OpenAIAnswerKind.Resent => LogLevel.Information,
        OpenAIAnswerKind.InsufficientQuota => LogLevel.Error,
        _ => LogLevel.Warning,
    };

    private static string Answer(Episode episode) => episode.Kind switch
    {
        OpenAIAnswerKind.Resent => $"401 answers ({episode.Error}) resent with a newer key",
        OpenAIAnswerKind.KeyUnchanged => $"401 answers ({episode.Error}) returned to the caller because the sources still hold the key",
        OpenAIAnswerKind.RejectedAgain => $"401 answers ({episode.Error}) to the refreshed key on the extra try",
        OpenAIAnswerKind.RefreshFailed => $"401 answers ({episode.Error}) returned because the key could not be re-read",
        OpenAIAnswerKind.NotResendable => $"401 answers ({episode.Error}) returned because the request's content cannot be sent twice",
        OpenAIAnswerKind.InsufficientQuota => "429 insufficient_quota answers",
        OpenAIAnswerKind.LongRetryHint => $"answers ({episode.Error}) returned at once because they asked to wait more than a minute",
        _ => $"429 answers ({episode.Error}) that reached the caller after the retries",
    };

    private static string Advice(OpenAIAnswerKind kind) => kind switch
    {
        OpenAIAnswerKind.Resent => "Nothing to do: the newer key is used.",
        OpenAIAnswerKind.KeyUnchanged => "Put a valid key in the store: it is read within seconds; until then the health check reports Unhealthy.",
        OpenAIAnswerKind.RejectedAgain => "Check that the key in the store is valid and belongs to the configured organization and project.",
        OpenAIAnswerKind.RefreshFailed => "Fix the failing source; the provider's log says why it fails.",
        OpenAIAnswerKind.NotResendable => "Later requests use the new key.",
        OpenAIAnswerKind.InsufficientQuota => "Add credits or raise the limit in the OpenAI dashboard (Settings > Billing / Limits).",
        OpenAIAnswerKind.LongRetryHint => "Send the request again after the time the answer gives (its Retry-After header), or lower the rate of requests.",
        _ => "Send fewer or smaller requests, spread them out, or ask OpenAI for a higher limit.",
    };

    /// <summary>A run of answers of one kind to one key: counts and times, never the key's value.</summary>
    private sealed class Episode(OpenAIAnswerLog owner, OpenAIAnswerKind kind, OpenAIKey? key, string error, DateTimeOffset since, long sinceTimestamp)
    {
        public OpenAIAnswerLog Owner { get; } = owner;

        public OpenAIAnswerKind Kind { get; } = kind;

        public OpenAIKey? Key { get; } = key;

        public string Fingerprint => Key?.Fingerprint ?? "(none)";

        public string Error { get; } = error;

        public DateTimeOffset Since { get; } = since;

        public long SinceTimestamp { get; } = sinceTimestamp;

        public long Total { get; set; } = 1;

        public long SinceSummary { get; set; }

        public ITimer? Timer { get; set; }
    }

    private readonly record struct Summary(Episode Episode, long Count, long Total);

    private readonly record struct Ended(Episode Episode, string Reason, TimeSpan Duration);
}
