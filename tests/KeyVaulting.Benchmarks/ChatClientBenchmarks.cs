using System.ClientModel;
using BenchmarkDotNet.Attributes;
using System.ClientModel.Primitives;
using KeyVaulting.Benchmarks.Infrastructure;
using KeyVaulting.OpenAIClients.Internal;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI;
using OpenAI.Chat;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 3: the per-request cost of KeyVaulting's authentication in the official OpenAI
/// <see cref="ChatClient"/>, against a plain client with a static <see cref="ApiKeyCredential"/>. Both call
/// <c>CompleteChatAsync</c> against the same local OpenAI-compatible endpoint (Kestrel on 127.0.0.1, in this process,
/// with a fixed answer), in the same run.
/// </summary>
/// <remarks>
/// The Allocated column counts the whole process, so it includes the server's and the SDK's allocations; they are the
/// same for both contenders, so the difference between the two rows is what the authentication costs per request.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(AllocatedInBytesConfig))]
public class ChatClientBenchmarks
{
    private const string Model = "gpt-4o-mini";

    private readonly string _key = BenchmarkKeys.Project('C');
    private readonly ChatMessage[] _messages = [new UserChatMessage("Say hello.")];
    private FakeOpenAIServer? _server;
    private ServiceProvider? _services;
    private ChatClient _plain = null!;
    private ChatClient _keyVaulting = null!;
    private ChatClient _authenticationOnly = null!;
    private ChatClient _authenticationAndRetry = null!;

    [GlobalSetup]
    public void Setup()
    {
        var body = File.ReadAllBytes(Fixtures.PathOf("openai", "openapi", "chat-completions.default.example-response.json"));
        _server = FakeOpenAIServer.StartAsync(body, _key).GetAwaiter().GetResult();

        _plain = new ChatClient(Model, new ApiKeyCredential(_key), new OpenAIClientOptions { Endpoint = _server.Endpoint });

        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(_ => new InMemoryKeySource(_key));
        services.AddOpenAIClient(o => o.Endpoint = _server.Endpoint);
        services.AddOpenAIChatClient(Model);
        _services = services.BuildServiceProvider();
        _keyVaulting = _services.GetRequiredService<ChatClient>();

        // The breakdown: KeyVaulting's client is the SDK's with three policies of ours. Each of these adds one or two
        // of them to the SDK's defaults, so the rows show which policy costs what.
        var provider = _services.GetRequiredService<IOpenAIKeyProvider>();
        _authenticationOnly = Breakdown(provider, _server.Endpoint, retry: false);
        _authenticationAndRetry = Breakdown(provider, _server.Endpoint, retry: true);

        // The first request loads the key; every measured one finds it known. Both must get the fixture's answer
        // (the server answers 401 to any other Authorization header, and the client then throws).
        Expect(PlainApiKeyCredential().GetAwaiter().GetResult());
        Expect(KeyVaulting_CurrentKey().GetAwaiter().GetResult());
        Expect(Breakdown_AuthenticationPolicyOnly().GetAwaiter().GetResult());
        Expect(Breakdown_AuthenticationAndOpenAIRetry().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<ChatCompletion> PlainApiKeyCredential()
        => (await _plain.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;

    [Benchmark]
    public async Task<ChatCompletion> KeyVaulting_CurrentKey()
        => (await _keyVaulting.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;

    [Benchmark]
    public async Task<ChatCompletion> Breakdown_AuthenticationPolicyOnly()
        => (await _authenticationOnly.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;

    [Benchmark]
    public async Task<ChatCompletion> Breakdown_AuthenticationAndOpenAIRetry()
        => (await _authenticationAndRetry.CompleteChatAsync(_messages).ConfigureAwait(false)).Value;

    private static ChatClient Breakdown(IOpenAIKeyProvider provider, Uri endpoint, bool retry)
    {
        var options = new OpenAIClientOptions { Endpoint = endpoint };
        if (retry)
        {
            // KeyVaulting's retry policy, which also holds the 401 recovery.
            options.RetryPolicy = new OpenAIRetryPolicy(3, new KeyRejectionRecovery(provider, "default", NullLogger.Instance), TimeProvider.System, NullLoggerFactory.Instance);
        }

#pragma warning disable OPENAI001 // The constructor KeyVaulting's own OpenAIClientFactory uses.
        return new OpenAIClient(new CurrentKeyAuthenticationPolicy(provider), options).GetChatClient(Model);
#pragma warning restore OPENAI001
    }

    private static void Expect(ChatCompletion completion)
    {
        if (completion.Content.Count != 1 || completion.Content[0].Text != "Hello! How can I assist you today?")
        {
            throw new InvalidOperationException("The local endpoint did not answer with the fixture's completion.");
        }
    }
}
