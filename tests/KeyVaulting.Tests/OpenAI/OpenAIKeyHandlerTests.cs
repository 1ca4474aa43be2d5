using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>The HttpClient handler for raw REST callers behaves like the OpenAI client: current key, one resend after a 401.</summary>
public partial class OpenAIKeyHandlerTests
{
    private const string ChatPath = "v1/chat/completions";

    [Fact]
    public async Task SendAsync_Request_SetsCurrentKeyOrganizationAndProjectOverCallerHeaders()
    {
        await using var world = await HandlerWorld.StartAsync(services => services.AddOpenAIClient(settings =>
        {
            settings.OrganizationId = "org-keyvaulting";
            settings.ProjectId = "proj_keyvaulting";
        }));
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatPath) { Content = Chat("headers") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer stale-value");
        request.Headers.TryAddWithoutValidation("OpenAI-Project", "proj_stale");
        request.Headers.TryAddWithoutValidation("OpenAI-Organization", "org-stale");

        using var response = await world.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var seen = world.Server.Requests.Should().ContainSingle().Subject;
        seen.Key.Should().Be(OpenAITestContext.Key1);
        seen.Organization.Should().Be("org-keyvaulting");
        seen.Project.Should().Be("proj_keyvaulting");
    }

    [Fact]
    public async Task SendAsync_KeyRotated_SendsNewKey()
    {
        await using var world = await HandlerWorld.StartAsync();
        world.Server.AcceptKey(OpenAITestContext.Key2);
        (await world.Http.PostAsync(ChatPath, Chat("before"))).Dispose();

        world.Source.SetValue(OpenAITestContext.Key2);
        world.Time.Advance(TimeSpan.FromSeconds(6));
        await world.Services.GetRequiredService<IOpenAIKeyProvider>().RefreshAsync();
        (await world.Http.PostAsync(ChatPath, Chat("after"))).Dispose();

        world.Server.Requests.Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
    }

    [Fact]
    public async Task SendAsync_OldKeyRevokedWhileRequestsInFlight_EachSentOnceMoreAfterOneRefresh()
    {
        await using var world = await HandlerWorld.StartAsync();
        (await world.Http.PostAsync(ChatPath, Chat("warm-up"))).Dispose();
        world.Server.HoldResponses();
        var inFlight = Enumerable.Range(0, 8)
            .Select(i => world.Http.PostAsJsonAsync(ChatPath, new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = $"in-flight-{i}" } } }))
            .ToList();
        await world.Server.WaitForRequestsAsync(9);
        var fetchesBefore = world.Source.FetchCount;
        world.Source.SetValue(OpenAITestContext.Key2);
        world.Server.AcceptKey(OpenAITestContext.Key2);
        world.Server.RevokeKey(OpenAITestContext.Key1);
        world.Time.Advance(TimeSpan.FromSeconds(6));
        world.Server.ReleaseResponses();

        var responses = await Task.WhenAll(inFlight);

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        foreach (var response in responses)
        {
            (await response.Content.ReadAsStringAsync()).Should().Contain("chat.completion");
            response.Dispose();
        }

        world.Source.FetchCount.Should().Be(fetchesBefore + 1);
        foreach (var group in world.Server.Requests.Where(r => r.Tag!.StartsWith("in-flight-", StringComparison.Ordinal)).GroupBy(r => r.Tag))
        {
            group.Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        }

        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_RejectedKeyStillInStore_Returns401WithoutLoop()
    {
        await using var world = await HandlerWorld.StartAsync();
        world.Server.RevokeKey(OpenAITestContext.Key1);

        using var response = await world.Http.PostAsync(ChatPath, Chat("rejected"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("invalid_api_key", "the caller still reads OpenAI's error");
        world.Server.Requests.Should().ContainSingle();
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 401).Which.Message.Should().Contain("sk-proj-…0001");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_StreamContentRejected_Returns401AndLaterRequestsUseNewKey()
    {
        await using var world = await HandlerWorld.StartAsync();
        (await world.Http.PostAsync(ChatPath, Chat("warm-up"))).Dispose();
        world.Source.SetValue(OpenAITestContext.Key2);
        world.Server.AcceptKey(OpenAITestContext.Key2);
        world.Server.RevokeKey(OpenAITestContext.Key1);
        world.Time.Advance(TimeSpan.FromSeconds(6));
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"streamed-body"}]}"""));
        using var streamed = new StreamContent(stream);
        streamed.Headers.ContentType = new("application/json");

        using var rejected = await world.Http.PostAsync(ChatPath, streamed);
        using var later = await world.Http.PostAsync(ChatPath, Chat("later"));

        rejected.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a stream may not be readable twice");
        later.StatusCode.Should().Be(HttpStatusCode.OK);
        world.Server.Requests.Where(r => r.Tag == "later").Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key2);
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 409);
    }

    [Fact]
    public async Task SendAsync_InsufficientQuota_ReturnsTheAnswerAndLogsAddCredits()
    {
        await using var world = await HandlerWorld.StartAsync();
        world.Server.EnqueueError(429, "429-insufficient_quota.json");

        using var response = await world.Http.PostAsync(ChatPath, Chat("no-credits"));

        (await OpenAIErrors.GetQuotaKindAsync(response)).Should().Be(OpenAIQuotaKind.InsufficientQuota);
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 404).Which.Message.Should().Contain("Add credits");
    }

    [Fact]
    public async Task AddOpenAIKeyHandler_NamedProvider_SendsThatProvidersKeyAndProject()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        await using var world = await HandlerWorld.StartAsync(
            services =>
            {
                services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
                services.AddKeyedOpenAIClient("analytics", settings => settings.ProjectId = "proj_analytics");
            },
            providerName: "analytics");
        world.Server.AcceptKey(OpenAITestContext.Key3);

        using var response = await world.Http.PostAsync(ChatPath, Chat("named"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var seen = world.Server.Requests.Should().ContainSingle().Subject;
        seen.Key.Should().Be(OpenAITestContext.Key3);
        seen.Project.Should().Be("proj_analytics");
    }

    [Fact]
    public async Task AddOpenAIKeyHandler_TraceLogging_LogsNoKeyAndOneHeaderFreeRecordPerRequest()
    {
        await using var world = await HandlerWorld.StartAsync(services => services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)));
        var secretQuery = "sentinel-" + Guid.NewGuid().ToString("N");

        using var response = await world.Http.PostAsync($"{ChatPath}?session={secretQuery}", Chat("trace"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        world.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1, "the key was sent, so it could have been logged");
        world.ShouldNotHaveLeakedKeys();
        world.Logs.ShouldNotContainSecrets(secretQuery);
        var records = world.Logs.GetSnapshot();
        records.Should().NotContain(r => r.Category!.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal), "the factory's default request logging logs header values raw in its structured state");
        var logged = records.Should().ContainSingle(r => r.Id.Id == 410).Subject;
        logged.Level.Should().Be(LogLevel.Debug);
        logged.Message.Should().Be($"HttpClient 'openai' sent POST {world.Server.BaseAddress}{ChatPath}: HTTP 200 in {logged.GetStructuredStateValue("ElapsedMilliseconds")} ms.");
        logged.GetStructuredStateValue("StatusCode").Should().Be("200");
    }

    [Fact]
    public async Task AddOpenAIKeyHandler_RequestFails_LogsTheFailureWithoutTheKey()
    {
        var closed = ClosedLoopbackAddress();
        await using var world = await HandlerWorld.StartAsync(
            services => services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)),
            configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = closed));

        await Assert.ThrowsAsync<HttpRequestException>(() => world.Http.PostAsync(ChatPath, Chat("refused")));

        var logged = world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 411).Subject;
        logged.Level.Should().Be(LogLevel.Debug);
        logged.Message.Should().StartWith($"HttpClient 'openai' sent POST {closed}{ChatPath} and got no answer after ").And.EndWith(" ms (HttpRequestException).");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddOpenAIKeyHandler_AppAddsItsOwnLoggerAfterwards_KeepsIt()
    {
        var appLogger = new RecordingHttpClientLogger();
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.AddLogger(_ => appLogger));

        (await world.Http.PostAsync(ChatPath, Chat("own-logger"))).Dispose();

        appLogger.Stopped.Should().Be(1, "an application may add a logger of its own after AddOpenAIKeyHandler, at its own risk");
        world.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 410, "Debug is below the default minimum level");
    }

    [Fact]
    public void AddOpenAIKeyHandler_NullBuilder_Throws()
        => FluentActions.Invoking(() => OpenAIKeyHttpClientBuilderExtensions.AddOpenAIKeyHandler(null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("builder");

    [Fact]
    public void AddOpenAIKeyHandler_InConfigureHttpClientDefaults_ThrowsBeforeAnyClientGetsTheKey()
    {
        var services = new ServiceCollection();

        var act = () => services.ConfigureHttpClientDefaults(defaults => defaults.AddOpenAIKeyHandler());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*ConfigureHttpClientDefaults*every host*services.AddHttpClient(\"openai\"*AddOpenAIKeyHandler()*");
    }

    /// <summary>An address on 127.0.0.1 where nothing listens: the port was free a moment ago.</summary>
    private static Uri ClosedLoopbackAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    private static StringContent Chat(string tag)
        => new($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{tag}}"}]}""", Encoding.UTF8, "application/json");

    private sealed class RecordingHttpClientLogger : IHttpClientLogger
    {
        private int _stopped;

        public int Stopped => Volatile.Read(ref _stopped);

        public object? LogRequestStart(HttpRequestMessage request) => null;

        public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
            => Interlocked.Increment(ref _stopped);

        public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
        {
        }
    }

    private sealed class HandlerWorld : IAsyncDisposable
    {
        private HandlerWorld(LocalOpenAIServer server, MutableKeySource source, FakeTimeProvider time, ServiceProvider services)
        {
            Server = server;
            Source = source;
            Time = time;
            Services = services;
            Http = services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
            Logs = services.GetFakeLogCollector();
        }

        public LocalOpenAIServer Server { get; }

        public MutableKeySource Source { get; }

        public FakeTimeProvider Time { get; }

        public ServiceProvider Services { get; }

        public HttpClient Http { get; }

        public FakeLogCollector Logs { get; }

        public static async Task<HandlerWorld> StartAsync(Action<IServiceCollection>? configure = null, string? providerName = null, Action<IHttpClientBuilder>? configureClient = null)
        {
            var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
            var source = new MutableKeySource("Memory:handler-test");
            source.SetValue(OpenAITestContext.Key1);
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var services = new ServiceCollection();
            services.AddFakeLogging();
            services.AddSingleton<TimeProvider>(time);
            services.AddOpenAIKeyProvider().AddSource(source);
            configure?.Invoke(services);
            var client = services.AddHttpClient("openai", http => http.BaseAddress = server.BaseAddress).AddOpenAIKeyHandler(providerName);
            configureClient?.Invoke(client);
            return new HandlerWorld(server, source, time, services.BuildServiceProvider(validateScopes: true));
        }

        /// <summary>
        /// Loads <see cref="OpenAITestContext.Key1"/> into the provider, then puts <see cref="OpenAITestContext.Key2"/>
        /// in the store behind its back, past the minimum interval between forced reads: a forced refresh finds Key2.
        /// </summary>
        public async Task RotateInTheStoreOnlyAsync()
        {
            (await Services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync()).Value.Should().Be(OpenAITestContext.Key1);
            Source.SetValue(OpenAITestContext.Key2);
            Time.Advance(TimeSpan.FromSeconds(6));
        }

        public void ShouldNotHaveLeakedKeys() => Logs.ShouldNotContainSecrets(OpenAITestContext.Key1, OpenAITestContext.Key2, OpenAITestContext.Key3);

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Services.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
