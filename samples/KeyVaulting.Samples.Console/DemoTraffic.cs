using OpenAI.Chat;

namespace KeyVaulting.Samples.Console;

/// <summary>Chat requests sent one after another, a short pause apart, until stopped: the traffic a rotation must not disturb.</summary>
internal sealed class DemoTraffic
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private int _sent;
    private int _failed;

    private DemoTraffic(ChatClient chat, TimeSpan pause, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loop = Task.Run(() => LoopAsync(chat, pause), CancellationToken.None);
    }

    /// <summary>Starts sending; the demo's cancellation stops it too.</summary>
    public static DemoTraffic Start(ChatClient chat, TimeSpan pause, CancellationToken cancellationToken) => new(chat, pause, cancellationToken);

    /// <summary>Stops sending, waits for the request in flight, and returns how many requests succeeded and failed.</summary>
    public async Task<(int Sent, int Failed)> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        return (Volatile.Read(ref _sent), Volatile.Read(ref _failed));
    }

    private async Task LoopAsync(ChatClient chat, TimeSpan pause)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: CancellationToken.None);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _failed);
            }

            await Task.Delay(pause, CancellationToken.None);
        }
    }
}
