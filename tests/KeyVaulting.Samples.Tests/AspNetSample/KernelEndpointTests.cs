using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KeyVaulting.Samples.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Samples.Tests.AspNetSample;

/// <summary>
/// <c>POST /kernel</c> of the ASP.NET sample: a Semantic Kernel built over the <c>OpenAIClient</c> from
/// <c>AddOpenAIClient</c> sends the key from the <c>.env</c> file and recovers when it is revoked and replaced.
/// </summary>
public sealed class KernelEndpointTests : IAsyncLifetime
{
    private readonly string _key = TestKeys.Numbered(1);
    private DevelopmentSample _sample = null!;

    public async Task InitializeAsync() => _sample = await DevelopmentSample.StartAsync(_key);

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task HandleAsync_Message_ReturnsTheModelsAnswerThroughTheKernel()
    {
        using var client = _sample.App.CreateClient();

        using var response = await client.PostAsJsonAsync("/kernel", new { message = "Say hello." });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("answer").GetString().Should().Be("Hello from the offline demo endpoint.");
        _sample.OpenAI.LastAcceptedKey.Should().Be(_key);
    }

    [Fact]
    public async Task HandleAsync_KeyRevokedAndReplacedInDotEnv_TheKernelRecoversWithTheNewKey()
    {
        using var client = _sample.App.CreateClient();
        (await client.PostAsJsonAsync("/kernel", new { message = "Hello?" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var replacement = TestKeys.Numbered(2);
        _sample.OpenAI.Allow(replacement);
        _sample.WriteDotEnv(replacement);
        _sample.OpenAI.Revoke(_key);
        using var response = await client.PostAsJsonAsync("/kernel", new { message = "Still there?" });

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the connector's request met a 401, the client re-read the .env once and resent");
        _sample.OpenAI.UnauthorizedCount.Should().Be(1);
        _sample.OpenAI.LastAcceptedKey.Should().Be(replacement);
        _sample.App.Services.GetFakeLogCollector().ShouldNotContainSecrets(_key, replacement);
    }

    [Fact]
    public async Task HandleAsync_KeyRevokedAndNotReplaced_ReturnsBadGatewayWithoutTheKey()
    {
        using var client = _sample.App.CreateClient();
        _sample.OpenAI.Revoke(_key);

        using var response = await client.PostAsJsonAsync("/kernel", new { message = "Hello?" });

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await response.Content.ReadAsStringAsync()).Should().Contain("OpenAI answered 401.").And.NotContain(_key);
    }
}
