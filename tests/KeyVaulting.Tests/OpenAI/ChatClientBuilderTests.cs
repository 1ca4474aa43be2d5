using System.ClientModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using KeyVaulting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// The Microsoft.Extensions.AI builders that <c>AddOpenAIChatClient</c> and <c>AddOpenAIEmbeddingClient</c> return: a
/// pipeline with function invocation and OpenTelemetry around the client still sends the current key, follows a
/// rotation and recovers from a 401 once per request.
/// </summary>
public sealed class ChatClientBuilderTests
{
    private const string Answer = "Hello! How can I assist you today?";
    private const string TelemetrySource = "KeyVaulting.Tests.ChatPipeline";

    [Fact]
    public async Task AddOpenAIChatClient_PipelineWithFunctionInvocationAndOpenTelemetry_SendsTheCurrentKeyOnEveryRequest()
    {
        using var spans = new SpanRecorder(TelemetrySource);
        await using var context = await StartAsync();
        context.Server.EnqueueResponse(200, ToolCall("GetWeather", """{"city":"Paris"}"""));
        var weather = AIFunctionFactory.Create((string city) => $"Sunny in {city}", "GetWeather");
        var chat = context.Services.GetRequiredService<IChatClient>();

        var response = await chat.GetResponseAsync("weather?", new ChatOptions { Tools = [weather] }, Bounded());

        response.Text.Should().Be(Answer);
        chat.GetService<FunctionInvokingChatClient>().Should().NotBeNull("the builder's middleware wraps the registered client");
        chat.GetService<OpenTelemetryChatClient>().Should().NotBeNull();
        context.Server.Requests.Select(r => (r.Tag, r.Key)).Should().Equal(
            ("weather?", OpenAITestContext.Key1),
            ("\"Sunny in Paris\"", OpenAITestContext.Key1));
        spans.Completed.Should().NotBeEmpty("the OpenTelemetry middleware traced the chat");
        spans.ShouldNotContainSecrets(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddOpenAIChatClient_PipelineAfterARotation_SendsTheNewKey()
    {
        await using var context = await StartAsync();
        var chat = context.Services.GetRequiredService<IChatClient>();
        await chat.GetResponseAsync("before", cancellationToken: Bounded());
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Source.SetValue(OpenAITestContext.Key2);
        context.PassMinimumRefreshInterval();
        await context.Provider.RefreshAsync();

        await chat.GetResponseAsync("after", cancellationToken: Bounded());

        context.Server.Requests.Select(r => (r.Tag, r.Key)).Should().Equal(
            ("before", OpenAITestContext.Key1),
            ("after", OpenAITestContext.Key2));
    }

    [Fact]
    public async Task AddOpenAIChatClient_KeyRevokedWhileAFunctionRuns_TheNextRequestRecoversOnceAndTheCallSucceeds()
    {
        using var spans = new SpanRecorder(TelemetrySource);
        await using var context = await StartAsync();
        context.Server.EnqueueResponse(200, ToolCall("GetWeather", """{"city":"Oslo"}"""));
        var weather = AIFunctionFactory.Create(
            (string city) =>
            {
                // The key is rotated and the old one revoked while the model waits for the function's result.
                context.Server.AcceptKey(OpenAITestContext.Key2);
                context.Server.RevokeKey(OpenAITestContext.Key1);
                context.Source.SetValue(OpenAITestContext.Key2);
                return $"Snow in {city}";
            },
            "GetWeather");
        context.PassMinimumRefreshInterval();
        var chat = context.Services.GetRequiredService<IChatClient>();

        var response = await chat.GetResponseAsync("weather?", new ChatOptions { Tools = [weather] }, Bounded());

        response.Text.Should().Be(Answer);
        context.Server.Requests.Select(r => (r.Tag, r.Key)).Should().Equal(
            ("weather?", OpenAITestContext.Key1),
            ("\"Snow in Oslo\"", OpenAITestContext.Key1),
            ("\"Snow in Oslo\"", OpenAITestContext.Key2));
        context.Logs.GetSnapshot().Where(r => r.Id.Id == 400).Should().ContainSingle("one 401, one resend");
        spans.ShouldNotContainSecrets(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddOpenAIChatClient_NewKeyRejectedToo_TheRequestIsNotSentAThirdTime()
    {
        await using var context = await StartAsync();
        var chat = context.Services.GetRequiredService<IChatClient>();
        await context.Provider.GetKeyAsync(); // Key1 is loaded and served
        context.Server.RevokeKey(OpenAITestContext.Key1);
        context.Source.SetValue(OpenAITestContext.Key2); // the server never accepts Key2
        context.PassMinimumRefreshInterval();

        var act = () => chat.GetResponseAsync("rejected", cancellationToken: Bounded());

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(401);
        context.Server.Requests.Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task AddOpenAIChatClient_ResolvedTwice_ChatClientAndPipelineAreSingletons()
    {
        await using var context = await StartAsync();

        context.Services.GetRequiredService<IChatClient>().Should().BeSameAs(context.Services.GetRequiredService<IChatClient>());
        context.Services.GetRequiredService<ChatClient>().Should().BeSameAs(context.Services.GetRequiredService<ChatClient>());
        await context.Services.GetRequiredService<ChatClient>().CompleteChatAsync([new UserChatMessage("direct")], cancellationToken: Bounded());
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1, "ChatClient stays injectable on its own");
    }

    [Fact]
    public async Task AddKeyedOpenAIChatClient_BuilderMiddleware_WrapsTheNamedProvidersClient()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        await using var context = await OpenAITestContext.StartAsync(services: (services, server) =>
        {
            services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
            services.AddKeyedOpenAIClient("analytics", settings => settings.Endpoint = server.Endpoint);
            services.AddKeyedOpenAIChatClient("analytics", "gpt-4o").UseFunctionInvocation();
        });
        context.Server.AcceptKey(OpenAITestContext.Key3);
        var chat = context.Services.GetRequiredKeyedService<IChatClient>("analytics");

        await chat.GetResponseAsync("keyed", cancellationToken: Bounded());

        chat.GetService<FunctionInvokingChatClient>().Should().NotBeNull();
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key3);
    }

    [Fact]
    public async Task AddOpenAIEmbeddingClient_BuilderWithOpenTelemetry_EmbedsWithTheCurrentKey()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (services, _) =>
            services.AddOpenAIEmbeddingClient("text-embedding-3-small").UseOpenTelemetry(sourceName: TelemetrySource));
        var generator = context.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var embeddings = await generator.GenerateAsync(["abc"], cancellationToken: Bounded());

        embeddings.Should().ContainSingle().Which.Vector.ToArray().Should().Equal(3f, 0.5f, -0.25f);
        generator.GetService<OpenTelemetryEmbeddingGenerator<string, Embedding<float>>>().Should().NotBeNull();
        context.Services.GetRequiredService<EmbeddingClient>().Should().NotBeNull();
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task AddKeyedOpenAIEmbeddingClient_BuilderMiddleware_WrapsTheNamedProvidersGenerator()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        await using var context = await OpenAITestContext.StartAsync(services: (services, server) =>
        {
            services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
            services.AddKeyedOpenAIClient("analytics", settings => settings.Endpoint = server.Endpoint);
            services.AddKeyedOpenAIEmbeddingClient("analytics", "text-embedding-3-small").UseOpenTelemetry(sourceName: TelemetrySource);
        });
        context.Server.AcceptKey(OpenAITestContext.Key3);
        var generator = context.Services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("analytics");

        await generator.GenerateAsync(["abcd"], cancellationToken: Bounded());

        generator.GetService<OpenTelemetryEmbeddingGenerator<string, Embedding<float>>>().Should().NotBeNull();
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key3);
    }

    /// <summary>A minute of real time: a call whose server never answers fails the test instead of hanging it.</summary>
    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token;

    /// <summary>The default provider and client on the local server, with a pipeline as an application writes it.</summary>
    private static Task<OpenAITestContext> StartAsync()
        => OpenAITestContext.StartAsync(services: (services, _) =>
            services.AddOpenAIChatClient("gpt-4o-mini")
                    .UseFunctionInvocation()
                    .UseOpenTelemetry(sourceName: TelemetrySource, configure: otel => otel.EnableSensitiveData = false));

    /// <summary>A chat completion whose only content is one call of <paramref name="function"/>.</summary>
    private static string ToolCall(string function, string arguments) => new JsonObject
    {
        ["id"] = "chatcmpl-tool-1",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = "gpt-4o-mini",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_1",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = function, ["arguments"] = arguments },
                }),
            },
            ["finish_reason"] = "tool_calls",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
    }.ToJsonString();

    /// <summary>Records the spans of one activity source, with their tags and events.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly List<Activity> _completed = [];

        public SpanRecorder(string sourceName)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == sourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    lock (_completed)
                    {
                        _completed.Add(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Completed
        {
            get
            {
                lock (_completed)
                {
                    return [.. _completed];
                }
            }
        }

        public void ShouldNotContainSecrets(params string[] secrets)
        {
            foreach (var activity in Completed)
            {
                var texts = activity.TagObjects.Select(t => $"{t.Key}={t.Value}")
                    .Concat(activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
                    .Append(activity.DisplayName);
                foreach (var text in texts)
                {
                    foreach (var secret in secrets)
                    {
                        text.Should().NotContain(secret, "span {0} must not carry a key", activity.OperationName);
                    }
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
