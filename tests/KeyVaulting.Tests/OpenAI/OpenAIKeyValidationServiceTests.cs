using System.Text.Json.Nodes;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>ValidateKeyOnStartup checks the key with GET /models when the host starts.</summary>
public class OpenAIKeyValidationServiceTests
{
    [Fact]
    public async Task StartAsync_AcceptedKey_StartsAndLogsSuccess()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
        using var host = BuildHost(server.Endpoint, settings => settings.ValidateKeyOnStartup = true);

        await host.StartAsync();

        server.Requests.Should().ContainSingle().Which.Should().Match<LocalOpenAIRequest>(r => r.Method == "GET" && r.Path == "/v1/models" && r.Key == OpenAITestContext.Key1);
        Logs(host).Should().ContainSingle(r => r.Id.Id == 406).Which.Message.Should().Contain("sk-proj-…0001");
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_RejectedKey_FailsWithAClearMessage()
    {
        await using var server = await LocalOpenAIServer.StartAsync(); // knows no key
        using var host = BuildHost(server.Endpoint, settings => settings.ValidateKeyOnStartup = true);

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        thrown.Message.Should().Contain("OpenAI rejected the API key sk-proj-…0001 from Memory:startup")
            .And.Contain("401 (invalid_api_key)").And.Contain(server.Endpoint.ToString().TrimEnd('/'))
            .And.Contain("revoked").And.Contain("ValidateKeyOnStartup");
        thrown.ShouldNotContainSecrets(OpenAITestContext.Key1);
        host.Services.GetFakeLogCollector().ShouldNotContainSecrets(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task StartAsync_ServerUnreachable_WarnsAndStarts()
    {
        var endpoint = new Uri($"http://127.0.0.1:{OpenAIErrorsTests.ClosedLoopbackPort()}/v1/");
        using var host = BuildHost(endpoint, settings =>
        {
            settings.ValidateKeyOnStartup = true;
            settings.MaxRetries = 0;
        });

        await host.StartAsync();

        var warning = Logs(host).Should().ContainSingle(r => r.Id.Id == 407).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("before OpenAI answered").And.Contain("StrictStartupValidation");
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_ServerUnreachableAndStrict_Fails()
    {
        var endpoint = new Uri($"http://127.0.0.1:{OpenAIErrorsTests.ClosedLoopbackPort()}/v1/");
        using var host = BuildHost(endpoint, settings =>
        {
            settings.ValidateKeyOnStartup = true;
            settings.StrictStartupValidation = true;
            settings.MaxRetries = 0;
        });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("Could not validate the API key sk-proj-…0001*before OpenAI answered*StrictStartupValidation is set.");
    }

    [Fact]
    public async Task StartAsync_InsufficientQuota_WarnsToAddCreditsAndStarts()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
        server.EnqueueError(429, "429-insufficient_quota.json");
        using var host = BuildHost(server.Endpoint, settings => settings.ValidateKeyOnStartup = true);

        await host.StartAsync();

        Logs(host).Should().ContainSingle(r => r.Id.Id == 407).Which.Message.Should().Contain("add credits");
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_ValidationOff_SendsNothing()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
        using var host = BuildHost(server.Endpoint, _ => { });

        await host.StartAsync();

        server.RequestCount.Should().Be(0);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_KeyedClientWithValidation_ChecksTheNamedProvidersKey()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key3);
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        using var host = BuildHost(server.Endpoint, _ => { }, services =>
        {
            services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
            services.AddKeyedOpenAIClient("analytics", settings =>
            {
                settings.Endpoint = server.Endpoint;
                settings.ValidateKeyOnStartup = true;
            });
        });

        await host.StartAsync();

        server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key3);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_401BodyEchoesTheAuthorizationHeader_FailsWithoutTheKeyOrTheSdkException()
    {
        await using var server = await RecordingServer.StartAsync(EchoAuthorization(401, "message"));
        using var host = BuildHost(new Uri(server.Address, "v1/"), settings => settings.ValidateKeyOnStartup = true);

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        server.Requests.Should().NotBeEmpty().And.OnlyContain(r => r.Authorization == "Bearer " + OpenAITestContext.Key1, "the key was sent, so the answer repeats it");
        thrown.Message.Should().Contain("401 (invalid_api_key)").And.Contain("sk-proj-…0001");
        thrown.InnerException.Should().BeNull("the SDK's exception holds the answer's body");
        thrown.ShouldNotContainSecrets(OpenAITestContext.Key1);
        host.Services.GetFakeLogCollector().ShouldNotContainSecrets(OpenAITestContext.Key1);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task StartAsync_ErrorBodyEchoesTheAuthorizationHeader_WarnsWithoutTheKeyOrAnException(int status)
    {
        await using var server = await RecordingServer.StartAsync(EchoAuthorization(status, "message"));
        using var host = BuildHost(new Uri(server.Address, "v1/"), settings =>
        {
            settings.ValidateKeyOnStartup = true;
            settings.MaxRetries = 0;
        });

        await host.StartAsync();

        server.Requests.Should().ContainSingle().Which.Authorization.Should().Be("Bearer " + OpenAITestContext.Key1);
        var warning = Logs(host).Should().ContainSingle(r => r.Id.Id == 407).Subject;
        warning.Message.Should().Contain($"OpenAI answered {status} (invalid_api_key)");
        warning.Exception.Should().BeNull("the SDK's exception holds the answer's body");
        host.Services.GetFakeLogCollector().ShouldNotContainSecrets(OpenAITestContext.Key1);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_StrictAndErrorBodyEchoesTheAuthorizationHeader_FailsWithoutTheKeyOrTheSdkException()
    {
        await using var server = await RecordingServer.StartAsync(EchoAuthorization(500, "message"));
        using var host = BuildHost(new Uri(server.Address, "v1/"), settings =>
        {
            settings.ValidateKeyOnStartup = true;
            settings.StrictStartupValidation = true;
            settings.MaxRetries = 0;
        });

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        thrown.Message.Should().Contain("OpenAI answered 500 (invalid_api_key)");
        thrown.InnerException.Should().BeNull();
        thrown.ShouldNotContainSecrets(OpenAITestContext.Key1);
        host.Services.GetFakeLogCollector().ShouldNotContainSecrets(OpenAITestContext.Key1);
    }

    [Theory]
    [InlineData("code")]
    [InlineData("type")]
    public async Task StartAsync_ErrorCodeOrTypeEchoesTheAuthorizationHeader_NamesNoKey(string field)
    {
        await using var server = await RecordingServer.StartAsync(EchoAuthorization(401, field));
        using var host = BuildHost(new Uri(server.Address, "v1/"), settings => settings.ValidateKeyOnStartup = true);

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        server.Requests.Should().NotBeEmpty();
        thrown.Message.Should().Contain("OpenAI rejected the API key sk-proj-…0001");
        thrown.ShouldNotContainSecrets(OpenAITestContext.Key1);
        host.Services.GetFakeLogCollector().ShouldNotContainSecrets(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task StartAsync_StrictAndServerUnreachable_FailsWithoutAttachingTheSdkException()
    {
        var endpoint = new Uri($"http://127.0.0.1:{OpenAIErrorsTests.ClosedLoopbackPort()}/v1/");
        using var host = BuildHost(endpoint, settings =>
        {
            settings.ValidateKeyOnStartup = true;
            settings.StrictStartupValidation = true;
            settings.MaxRetries = 0;
        });

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        thrown.Message.Should().Contain("before OpenAI answered (HttpRequestException: ConnectionError)");
        thrown.InnerException.Should().BeNull("no exception of the SDK or the transport is attached");
    }

    /// <summary>
    /// An OpenAI-compatible server (or a proxy) that repeats the request's <c>Authorization</c> header in its error: in
    /// the message, in the <c>code</c> or in the <c>type</c>, and in a response header.
    /// </summary>
    private static Func<HttpContext, Task> EchoAuthorization(int status, string field) => context =>
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var error = new JsonObject { ["message"] = "Request failed.", ["type"] = "invalid_request_error", ["param"] = null, ["code"] = "invalid_api_key" };
        error[field] = field == "message" ? $"You sent 'Authorization: {authorization}', which is not valid." : authorization;
        context.Response.Headers["X-Echo-Authorization"] = authorization;
        return RecordingServer.JsonAsync(context, status, new JsonObject { ["error"] = error }.ToJsonString());
    };

    private static IHost BuildHost(Uri endpoint, Action<OpenAIClientSettings> configure, Action<IServiceCollection>? more = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var source = new MutableKeySource("Memory:startup");
        source.SetValue(OpenAITestContext.Key1);
        builder.Services.AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        builder.Services.AddOpenAIKeyProvider().AddSource(source);
        builder.Services.AddOpenAIClient(settings =>
        {
            settings.Endpoint = endpoint;
            configure(settings);
        });
        more?.Invoke(builder.Services);
        return builder.Build();
    }

    private static IReadOnlyList<FakeLogRecord> Logs(IHost host) => host.Services.GetFakeLogCollector().GetSnapshot();
}
