using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Integrations.Tests.Infrastructure;

/// <summary>
/// An application as it is assembled with KeyVaulting: a host whose default key provider reads a
/// <see cref="MutableKeySource"/> holding <see cref="Key1"/>, <c>AddOpenAIClient</c> pointed at a
/// <see cref="LocalOpenAIServer"/> on 127.0.0.1 that accepts it, fake time and captured logs; the test adds the rest
/// (OpenTelemetry, a Semantic Kernel, a chat pipeline).
/// </summary>
internal sealed class KeyVaultingApp : IAsyncDisposable
{
    private KeyVaultingApp(LocalOpenAIServer server, MutableKeySource source, FakeTimeProvider time, IHost host)
    {
        Server = server;
        Source = source;
        Time = time;
        Host = host;
    }

    public static string Key1 { get; } = TestKeys.Numbered(11);

    public static string Key2 { get; } = TestKeys.Numbered(12);

    public static string Key3 { get; } = TestKeys.Numbered(13);

    public static string[] AllKeys => [Key1, Key2, Key3];

    public LocalOpenAIServer Server { get; }

    public MutableKeySource Source { get; }

    public FakeTimeProvider Time { get; }

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public IOpenAIKeyProvider Provider => Services.GetRequiredService<IOpenAIKeyProvider>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Builds and starts the host (the provider loads <see cref="Key1"/> on start).</summary>
    /// <param name="services">Adds the application's other registrations.</param>
    public static async Task<KeyVaultingApp> StartAsync(Action<IServiceCollection>? services = null)
    {
        var server = await LocalOpenAIServer.StartAsync(Key1);
        var source = new MutableKeySource("Memory:integration");
        source.SetValue(Key1);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFakeLogging();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOpenAIKeyProvider().AddSource(source);
        builder.Services.AddOpenAIClient(settings => settings.Endpoint = server.Endpoint);
        services?.Invoke(builder.Services);
        var host = builder.Build();

        using var bound = Bounded();
        await host.StartAsync(bound.Token);
        return new KeyVaultingApp(server, source, time, host);
    }

    /// <summary>A minute of real time: a call whose server never answers fails the test instead of hanging it.</summary>
    public static CancellationTokenSource Bounded() => new(TimeSpan.FromMinutes(1));

    /// <summary>Moves fake time past the provider's minimum interval between forced refreshes (5 seconds).</summary>
    public void PassMinimumRefreshInterval() => Time.Advance(TimeSpan.FromSeconds(6));

    /// <summary>Makes <paramref name="key"/> the store's key and the only other key the server accepts besides the current ones.</summary>
    public void PutInStore(string key)
    {
        Server.AcceptKey(key);
        Source.SetValue(key);
    }

    public async ValueTask DisposeAsync()
    {
        using (var bound = Bounded())
        {
            await Host.StopAsync(bound.Token);
        }

        Host.Dispose();
        await Server.DisposeAsync();
    }
}
