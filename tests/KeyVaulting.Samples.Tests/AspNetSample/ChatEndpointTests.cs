using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using System.Text.Json;
using KeyVaulting.Samples.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Samples.Tests.AspNetSample;

/// <summary><c>POST /chat</c> of the ASP.NET sample in Development, against a local OpenAI-compatible endpoint.</summary>
public sealed class ChatEndpointTests : IAsyncLifetime
{
    private readonly string _key = TestKeys.Numbered(1);
    private DevelopmentSample _sample = null!;

    public async Task InitializeAsync() => _sample = await DevelopmentSample.StartAsync(_key);

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task HandleAsync_Message_ReturnsTheModelsAnswer()
    {
        using var client = _sample.App.CreateClient();

        using var response = await client.PostAsJsonAsync("/chat", new { message = "Say hello." });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("answer").GetString().Should().Be("Hello from the offline demo endpoint.");
        _sample.OpenAI.LastAcceptedKey.Should().Be(_key, "the request carried the key from the .env file");
    }

    [Theory]
    [InlineData("{ \"message\": \"\" }")]
    [InlineData("{ \"message\": \"   \" }")]
    [InlineData("{ }")]
    public async Task HandleAsync_NoMessage_ReturnsValidationProblemWithoutCallingOpenAI(string json)
    {
        using var client = _sample.App.CreateClient();

        using var response = await client.PostAsync("/chat", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Write a message.");
        _sample.OpenAI.AnsweredCount.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_KeyRevokedAndReplacedInDotEnv_AnswersWithTheNewKeyWithoutRestart()
    {
        using var client = _sample.App.CreateClient();
        (await client.PostAsJsonAsync("/chat", new { message = "Hello?" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var replacement = TestKeys.Numbered(2);
        _sample.OpenAI.Allow(replacement);
        _sample.WriteDotEnv(replacement);
        _sample.OpenAI.Revoke(_key);
        using var response = await client.PostAsJsonAsync("/chat", new { message = "Still there?" });

        response.StatusCode.Should().Be(HttpStatusCode.OK, "a 401 makes the client re-read the .env once and resend (unless the file watcher read the save first)");
        _sample.OpenAI.UnauthorizedCount.Should().BeLessThanOrEqualTo(1);
        _sample.OpenAI.LastAcceptedKey.Should().Be(replacement);
        _sample.App.Services.GetFakeLogCollector().ShouldNotContainSecrets(_key, replacement);
    }

    [Fact]
    public async Task HandleAsync_KeyRevokedAndNotReplaced_ReturnsBadGatewayWithoutTheKey()
    {
        using var client = _sample.App.CreateClient();
        _sample.OpenAI.Revoke(_key);

        using var response = await client.PostAsJsonAsync("/chat", new { message = "Hello?" });

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain("OpenAI answered 401.");
        body.Should().NotContain(_key);
        _sample.App.Services.GetFakeLogCollector().ShouldNotContainSecrets(_key);
    }

    [Fact]
    public async Task HandleAsync_OpenAIUnreachable_ReturnsBadGateway()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there any more: the connection is refused
        await using var sample = await DevelopmentSample.StartAsync(_key, new Dictionary<string, string?>
        {
            ["OpenAI:Endpoint"] = $"http://127.0.0.1:{port}/v1",
            ["OpenAI:MaxRetries"] = "1",
        });
        using var client = sample.App.CreateClient();

        using var response = await client.PostAsJsonAsync("/chat", new { message = "Hello?" });

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await response.Content.ReadAsStringAsync()).Should().Contain("OpenAI could not be reached.");
    }

    [Theory]
    [InlineData("insufficient_quota", HttpStatusCode.ServiceUnavailable, "The OpenAI account has no credits left.")]
    [InlineData("rate_limit_exceeded", HttpStatusCode.TooManyRequests, "OpenAI is rate limiting this app; try again shortly.")]
    public async Task HandleAsync_OpenAIAnswers429_TellsQuotaFromRateLimit(string code, HttpStatusCode expected, string detail)
    {
        await using var openAI = await FixedAnswerOpenAIServer.StartAsync(StatusCodes.Status429TooManyRequests, code);
        await using var sample = await DevelopmentSample.StartAsync(_key, new Dictionary<string, string?>
        {
            ["OpenAI:Endpoint"] = openAI.Endpoint.ToString(),
            ["OpenAI:MaxRetries"] = "0",
        });
        using var client = sample.App.CreateClient();

        using var response = await client.PostAsJsonAsync("/chat", new { message = "Hello?" });

        response.StatusCode.Should().Be(expected);
        (await response.Content.ReadAsStringAsync()).Should().Contain(detail);
    }
}
