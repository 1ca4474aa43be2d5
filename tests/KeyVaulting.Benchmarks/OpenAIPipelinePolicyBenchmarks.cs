using System.ClientModel;
using System.ClientModel.Primitives;
using BenchmarkDotNet.Attributes;
using KeyVaulting.Benchmarks.Infrastructure;
using KeyVaulting.OpenAIClients.Internal;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Benchmarks;

/// <summary>
/// Issue 8, benchmark 3, the part that differs: a <see cref="ClientPipeline"/> holding only the policies in which
/// the two clients of <see cref="ChatClientInProcessBenchmarks"/> differ, in the positions the OpenAI client puts them,
/// in front of the in-process transport (completing synchronously). The plain client's are the SDK's
/// <c>Authorization: Bearer</c> <see cref="ApiKeyAuthenticationPolicy"/> (per try) and the default retry policy;
/// KeyVaulting's are its <c>OpenAIRetryPolicy</c> (which also holds the 401 recovery) and
/// <c>CurrentKeyAuthenticationPolicy</c> (per try). Without the chat request's JSON around it, a request costs a few
/// hundred nanoseconds, so the difference between the rows is measured to a few nanoseconds.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(AllocatedInBytesConfig))]
public class OpenAIPipelinePolicyBenchmarks
{
    private static readonly Uri RequestUri = new("http://127.0.0.1:9/v1/chat/completions");

    private readonly string _key = BenchmarkKeys.Project('C');
    private ServiceProvider? _services;
    private InProcessOpenAITransport _transport = null!;
    private ClientPipeline _plain = null!;
    private ClientPipeline _keyVaulting = null!;

    [GlobalSetup]
    public void Setup()
    {
        var body = File.ReadAllBytes(Fixtures.PathOf("openai", "openapi", "chat-completions.default.example-response.json"));
        _transport = new InProcessOpenAITransport(body, asynchronous: false, _key);

        _plain = ClientPipeline.Create(
            new ClientPipelineOptions { Transport = _transport },
            perCallPolicies: default,
            perTryPolicies: [ApiKeyAuthenticationPolicy.CreateBearerAuthorizationPolicy(new ApiKeyCredential(_key))],
            beforeTransportPolicies: default);

        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(_ => new InMemoryKeySource(_key));
        _services = services.BuildServiceProvider();
        var provider = _services.GetRequiredService<IOpenAIKeyProvider>();
        _keyVaulting = ClientPipeline.Create(
            new ClientPipelineOptions
            {
                Transport = _transport,
                RetryPolicy = new OpenAIRetryPolicy(3, new KeyRejectionRecovery(provider, "default", NullLogger.Instance), TimeProvider.System, NullLoggerFactory.Instance),
            },
            perCallPolicies: default,
            perTryPolicies: [new CurrentKeyAuthenticationPolicy(provider)],
            beforeTransportPolicies: default);

        // The first request loads the key; both must be answered 200 with the key in the header.
        Expect(PlainApiKeyCredential().AsTask().GetAwaiter().GetResult());
        Expect(KeyVaulting_CurrentKey().AsTask().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true)]
    public ValueTask<int> PlainApiKeyCredential() => SendAsync(_plain);

    [Benchmark]
    public ValueTask<int> KeyVaulting_CurrentKey() => SendAsync(_keyVaulting);

    private static async ValueTask<int> SendAsync(ClientPipeline pipeline)
    {
        using var message = pipeline.CreateMessage(RequestUri, "POST", PipelineMessageClassifier.Default);
        await pipeline.SendAsync(message).ConfigureAwait(false);
        return message.Response!.Status;
    }

    private void Expect(int status)
    {
        if (status != 200 || _transport.LastAuthorization != "Bearer " + _key)
        {
            throw new InvalidOperationException("The pipeline did not send the key, or the transport did not accept it.");
        }
    }
}
