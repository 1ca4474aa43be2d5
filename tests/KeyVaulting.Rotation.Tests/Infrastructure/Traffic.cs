using System.ClientModel;
using System.Collections.Concurrent;
using KeyVaulting.Testing;
using OpenAI.Chat;

namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>Threads that send chat completions until stopped, each through one consumer, and keep every failure.</summary>
internal sealed class Traffic : IAsyncDisposable
{
    private readonly LocalOpenAIServer _api;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<string> _failures = [];
    private readonly Task[] _threads;

    public Traffic(LocalOpenAIServer api, IReadOnlyList<ChatClient> clients, int threads)
    {
        _api = api;
        _threads = Enumerable.Range(0, threads).Select(t => Task.Run(() => SendAsync(clients[t % clients.Count], $"c{t % clients.Count}-t{t}"))).ToArray();
    }

    public Task WaitForRequestsAsync(int count) => _api.WaitForRequestsAsync(count);

    public async Task<IReadOnlyCollection<string>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_threads).WaitAsync(TimeSpan.FromSeconds(30));
        return _failures;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_threads).WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private async Task SendAsync(ChatClient client, string name)
    {
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            try
            {
                var answer = await client.CompleteChatAsync([new UserChatMessage($"{name}-{n}")]).WaitAsync(BoundedRotator.Bound);
                if (answer.GetRawResponse().Status != 200)
                {
                    _failures.Add($"{name}-{n}: {answer.GetRawResponse().Status}");
                }
            }
            catch (ClientResultException ex)
            {
                _failures.Add($"{name}-{n}: {ex.Status}");
            }
            catch (TimeoutException)
            {
                _failures.Add($"{name}-{n}: no answer within {BoundedRotator.Bound}");
            }
        }
    }
}
