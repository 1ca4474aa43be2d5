using System.Threading.Channels;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A source whose every fetch waits until the test answers it, and never looks at its cancellation token: the
/// behaviour of a store client that ignores cancellation, or a read blocked on something that cannot be cancelled.
/// With <see cref="AnswerAtOnce"/> set, fetches answer immediately instead.
/// </summary>
internal sealed class ControlledKeySource(string name = "Memory:controlled") : IOpenAIKeySource
{
    private readonly Channel<ControlledFetch> _fetches = Channel.CreateUnbounded<ControlledFetch>();
    private int _fetchCount;
    private int _answeredCount;

    public string Name { get; } = name;

    public int FetchCount => Volatile.Read(ref _fetchCount);

    /// <summary>Gets or sets the answer every fetch gets at once; <see langword="null"/> makes fetches wait for the test.</summary>
    public Func<OpenAIKeySourceResult>? AnswerAtOnce { get; set; }

    public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetchCount);
        if (AnswerAtOnce is { } answer)
        {
            return new(answer());
        }

        var fetch = new ControlledFetch(() => Interlocked.Increment(ref _answeredCount), Volatile.Read(ref _answeredCount));
        _fetches.Writer.TryWrite(fetch);
        return new(fetch.Answer);
    }

    /// <summary>Returns the next fetch that waits for an answer; fails if none starts within 10 seconds.</summary>
    public async Task<ControlledFetch> NextFetchAsync()
        => await _fetches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Returns whether a fetch that waits for an answer has started and not been taken yet.</summary>
    public bool HasWaitingFetch => _fetches.Reader.Count > 0;
}

/// <summary>One fetch of a <see cref="ControlledKeySource"/>: answered, failed or left hanging by the test.</summary>
/// <param name="answered">Counts an answer given by the test.</param>
/// <param name="answeredBefore">How many fetches of the source the test had answered when this one started.</param>
internal sealed class ControlledFetch(Action? answered = null, int answeredBefore = 0)
{
    private readonly TaskCompletionSource<OpenAIKeySourceResult> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<OpenAIKeySourceResult> Answer => _answer.Task;

    /// <summary>Gets how many fetches of the source had been answered when this one started: tells a fetch that followed another from one that ran beside it.</summary>
    public int AnsweredBefore { get; } = answeredBefore;

    public void Found(string value)
    {
        answered?.Invoke();
        _answer.TrySetResult(OpenAIKeySourceResult.Found(value));
    }

    public void NotFound(string reason)
    {
        answered?.Invoke();
        _answer.TrySetResult(OpenAIKeySourceResult.NotFound(reason));
    }

    public void Fail(Exception exception)
    {
        answered?.Invoke();
        _answer.TrySetException(exception);
    }
}
