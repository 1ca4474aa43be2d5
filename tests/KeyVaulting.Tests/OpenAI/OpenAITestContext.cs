using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// One test's world: a <see cref="LocalOpenAIServer"/>, the default key provider over a <see cref="MutableKeySource"/>
/// that holds <see cref="Key1"/>, the OpenAI client wiring pointed at the server, fake time and captured logs.
/// </summary>
internal sealed class OpenAITestContext : IAsyncDisposable
{
    private OpenAITestContext(LocalOpenAIServer server, MutableKeySource source, FakeTimeProvider? time, ServiceProvider services)
    {
        Server = server;
        Source = source;
        FakeTime = time;
        Services = services;
        Logs = services.GetFakeLogCollector();
    }

    /// <summary>Gets the key the source holds at the start, which the server accepts.</summary>
    public static string Key1 { get; } = TestKeys.Numbered(1);

    /// <summary>Gets a second key, accepted by the server only when a test says so.</summary>
    public static string Key2 { get; } = TestKeys.Numbered(2);

    /// <summary>Gets a third key, for named providers.</summary>
    public static string Key3 { get; } = TestKeys.Numbered(3);

    public LocalOpenAIServer Server { get; }

    public MutableKeySource Source { get; }

    /// <summary>Gets the fake clock, or <see langword="null"/> when the context runs on the system clock.</summary>
    public FakeTimeProvider? FakeTime { get; }

    public FakeTimeProvider Time => FakeTime ?? throw new InvalidOperationException("This context runs on the system clock.");

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs { get; }

    public IOpenAIKeyProvider Provider => Services.GetRequiredService<IOpenAIKeyProvider>();

    public OpenAIClient Client => Services.GetRequiredService<OpenAIClient>();

    /// <summary>
    /// Starts a server accepting <see cref="Key1"/> and registers the default provider and <c>AddOpenAIClient</c>
    /// pointed at it.
    /// </summary>
    /// <param name="configure">Changes the client's settings (the endpoint is already the server's).</param>
    /// <param name="services">Adds more registrations.</param>
    /// <param name="fakeTime">Whether time is a <see cref="FakeTimeProvider"/>; the SDK's retry waits then need it advanced.</param>
    public static async Task<OpenAITestContext> StartAsync(
        Action<OpenAIClientSettings>? configure = null,
        Action<IServiceCollection, LocalOpenAIServer>? services = null,
        bool fakeTime = true)
    {
        var server = await LocalOpenAIServer.StartAsync(Key1);
        var source = new MutableKeySource("Memory:openai-test");
        source.SetValue(Key1);
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) : null;

        var collection = new ServiceCollection();
        collection.AddFakeLogging();
        if (time is not null)
        {
            collection.AddSingleton<TimeProvider>(time);
        }

        collection.AddOpenAIKeyProvider().AddSource(source);
        collection.AddOpenAIClient(settings =>
        {
            settings.Endpoint = server.Endpoint;
            configure?.Invoke(settings);
        });
        services?.Invoke(collection, server);

        return new OpenAITestContext(server, source, time, collection.BuildServiceProvider(validateScopes: true));
    }

    /// <summary>Sends one chat completion whose message is <paramref name="tag"/>, so the server's record names it.</summary>
    /// <remarks>The call is cancelled after a minute of real time, so a test whose server never answers fails, not hangs.</remarks>
    public static async Task<System.ClientModel.ClientResult<ChatCompletion>> ChatAsync(ChatClient chat, string tag)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await chat.CompleteChatAsync([new UserChatMessage(tag)], cancellationToken: bound.Token);
    }

    /// <summary>Moves fake time past the provider's minimum interval between forced refreshes (5 seconds).</summary>
    public void PassMinimumRefreshInterval() => Time.Advance(TimeSpan.FromSeconds(6));

    /// <summary>Asserts that no log line and no exception captured by the test contains any test key.</summary>
    public void ShouldNotHaveLeakedKeys(params Exception?[] exceptions)
    {
        Logs.ShouldNotContainSecrets(Key1, Key2, Key3);
        foreach (var exception in exceptions)
        {
            exception?.ShouldNotContainSecrets(Key1, Key2, Key3);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}
