using System.ClientModel;
using System.ClientModel.Primitives;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 3, precise: the same two contenders as <see cref="ChatClientBenchmarks"/> (a plain
/// <see cref="ChatClient"/> with a static <see cref="ApiKeyCredential"/>, and KeyVaulting's client as an application
/// gets it from DI), but sending through an in-process <see cref="PipelineTransport"/> that returns the fixture's
/// answer without sockets. Without the network's noise, the difference between the two rows is what KeyVaulting's
/// authentication costs per request, to a few nanoseconds and bytes.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Completion"/> says how the transport completes: <c>Synchronous</c> is the pipeline's CPU cost alone;
/// <c>Asynchronous</c> yields to the thread pool first, as a network does, so every async method on the path really
/// suspends (that is where an unpooled async state machine would allocate a box).
/// </para>
/// <para>
/// KeyVaulting's client is the <see cref="ChatClient"/> resolved from DI, the transport given through
/// <c>OpenAIClientSettings.Transport</c>.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(AllocatedInBytesConfig))]
public class ChatClientInProcessBenchmarks
{
    /// <summary>How many requests are sent with one key in the rotating variants.</summary>
    public const int RotationPeriod = 100;

    private const string Model = "gpt-4o-mini";
    private const string ExpectedAnswer = "Hello! How can I assist you today?";

    private static readonly Uri Endpoint = new("http://127.0.0.1:9/v1/");

    private readonly string[] _keys = [BenchmarkKeys.Project('C'), BenchmarkKeys.Project('D')];
    private readonly ChatMessage[] _messages = [new UserChatMessage("Say hello.")];
    private InMemoryKeySource _source = null!;
    private InProcessOpenAITransport _transport = null!;
    private ServiceProvider? _services;
    private IOpenAIKeyProvider _provider = null!;
    private ApiKeyCredential _plainCredential = null!;
    private ChatClient _plain = null!;
    private ChatClient _keyVaulting = null!;
    private int _plainKeyIndex;

    /// <summary>How the in-process transport completes a request.</summary>
    public enum TransportCompletion
    {
        /// <summary>At once, on the calling thread.</summary>
        Synchronous,

        /// <summary>After a yield to the thread pool, as a network request does.</summary>
        Asynchronous,
    }

    [Params(TransportCompletion.Synchronous, TransportCompletion.Asynchronous)]
    public TransportCompletion Completion { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var body = File.ReadAllBytes(Fixtures.PathOf("openai", "openapi", "chat-completions.default.example-response.json"));
        _transport = new InProcessOpenAITransport(body, Completion == TransportCompletion.Asynchronous, _keys);
        _source = new InMemoryKeySource(_keys[0], _keys[1]);

        _plainCredential = new ApiKeyCredential(_keys[0]);
        _plain = new ChatClient(Model, _plainCredential, new OpenAIClientOptions { Endpoint = Endpoint, Transport = _transport });

        // What an application registers and resolves, with the transport given through OpenAIClientSettings.Transport.
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(o => o.MinimumRefreshInterval = TimeSpan.Zero).AddSource(_source);
        services.AddOpenAIClient(o =>
        {
            o.Endpoint = Endpoint;
            o.Transport = _transport;
        });
        services.AddOpenAIChatClient(Model);
        _services = services.BuildServiceProvider();
        _provider = _services.GetRequiredService<IOpenAIKeyProvider>();
        _keyVaulting = _services.GetRequiredService<ChatClient>();

        // The first request loads the key; every measured one finds it known. Each must get the fixture's answer (the
        // transport answers 401 to any other Authorization header, and the client then throws), with the right key.
        Expect(PlainApiKeyCredential().GetAwaiter().GetResult(), _keys[0]);
        Expect(KeyVaulting_CurrentKey().GetAwaiter().GetResult(), _keys[0]);
        Expect(PlainApiKeyCredential_KeyRotatesEvery100Requests().GetAwaiter().GetResult(), _keys[1]);
        Expect(KeyVaulting_KeyRotatesEvery100Requests().GetAwaiter().GetResult(), _keys[1]);
        Expect(PlainApiKeyCredential_KeyRotatesEvery100Requests().GetAwaiter().GetResult(), _keys[0]);
        Expect(KeyVaulting_KeyRotatesEvery100Requests().GetAwaiter().GetResult(), _keys[0]);
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<ChatCompletion> PlainApiKeyCredential()
        => (await _plain.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;

    [Benchmark]
    public async Task<ChatCompletion> KeyVaulting_CurrentKey()
        => (await _keyVaulting.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;

    /// <summary>
    /// The static credential, with the application rotating the key itself every 100 requests
    /// (<see cref="ApiKeyCredential.Update"/>). The table reports the time of one request.
    /// </summary>
    [Benchmark(OperationsPerInvoke = RotationPeriod)]
    public async Task<ChatCompletion> PlainApiKeyCredential_KeyRotatesEvery100Requests()
    {
        _plainKeyIndex ^= 1;
        _plainCredential.Update(_keys[_plainKeyIndex]);
        return await SendAsync(_plain).ConfigureAwait(false);
    }

    /// <summary>
    /// KeyVaulting, the key rotating in the source every 100 requests and the provider refreshed at once
    /// (<see cref="IOpenAIKeyProvider.RefreshAsync"/>): the first request after a rotation builds the new
    /// <c>Bearer</c> header, the next 99 reuse it. The table reports the time of one request.
    /// </summary>
    [Benchmark(OperationsPerInvoke = RotationPeriod)]
    public async Task<ChatCompletion> KeyVaulting_KeyRotatesEvery100Requests()
    {
        _ = _source.Rotate();
        await _provider.RefreshAsync().ConfigureAwait(false);
        return await SendAsync(_keyVaulting).ConfigureAwait(false);
    }

    private async Task<ChatCompletion> SendAsync(ChatClient client)
    {
        ChatCompletion completion = null!;
        for (var i = 0; i < RotationPeriod; i++)
        {
            completion = (await client.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;
        }

        return completion;
    }

    private void Expect(ChatCompletion completion, string key)
    {
        if (completion.Content.Count != 1 || completion.Content[0].Text != ExpectedAnswer)
        {
            throw new InvalidOperationException("The in-process transport did not answer with the fixture's completion.");
        }

        if (_transport.LastAuthorization != "Bearer " + key)
        {
            throw new InvalidOperationException("The last request did not carry the expected key.");
        }
    }
}
