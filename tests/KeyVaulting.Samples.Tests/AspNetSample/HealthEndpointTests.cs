using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KeyVaulting.Samples.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Samples.Tests.AspNetSample;

/// <summary>
/// <c>GET /health</c> of the ASP.NET sample in Development tells the truth when OpenAI rejects the key: Unhealthy (503)
/// with the key's fingerprint, its source, since when and OpenAI's error code while no newer key exists, and Healthy
/// again once a new key is saved or a request succeeds with the key. A deleted <c>.env</c> keeps the key (Degraded)
/// rather than switching to the environment variable's key. Real clock, real files; every wait is bounded.
/// </summary>
public sealed class HealthEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly string _key = TestKeys.Numbered(11);
    private readonly string _variable = "KEYVAULTING_SAMPLE_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private DevelopmentSample _sample = null!;

    public async Task InitializeAsync()
        => _sample = await DevelopmentSample.StartAsync(_key, new Dictionary<string, string?> { ["KeyVaulting:Sources:Env:Variable"] = _variable });

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        await _sample.DisposeAsync();
    }

    [Fact]
    public async Task Health_OpenAIRejectsTheKeyAndNoNewerOneExists_UnhealthyWithFingerprintSourceSinceAndErrorThenHealthyWhenANewKeyIsSaved()
    {
        using var client = _sample.App.CreateClient();
        (await client.PostAsJsonAsync("/chat", new { message = "Hello?" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = DateTimeOffset.UtcNow;

        _sample.OpenAI.Revoke(_key);
        (await client.PostAsJsonAsync("/chat", new { message = "Still there?" })).StatusCode.Should().Be(HttpStatusCode.BadGateway);
        using var unhealthy = await client.GetAsync("/health");
        var unhealthyBody = await unhealthy.Content.ReadAsStringAsync();

        unhealthy.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        using (var json = JsonDocument.Parse(unhealthyBody))
        {
            json.RootElement.GetProperty("status").GetString().Should().Be("Unhealthy");
            var entry = json.RootElement.GetProperty("entries").GetProperty("openai-key");
            entry.GetProperty("description").GetString().Should().Contain("OpenAI rejects key sk-proj-…0011").And.Contain("invalid_api_key");
            var data = entry.GetProperty("data");
            data.GetProperty("fingerprint").GetString().Should().Be("sk-proj-…0011");
            data.GetProperty("source").GetString().Should().Be($"DotEnvFile:{_sample.DotEnvPath}:OPENAI_API_KEY");
            data.GetProperty("openAIError").GetString().Should().Be("invalid_api_key");
            DateTimeOffset.Parse(data.GetProperty("rejectedSince").GetString()!, CultureInfo.InvariantCulture).Should().BeOnOrAfter(before.AddSeconds(-1));
        }

        unhealthyBody.Should().NotContain(_key).And.NotContain(_key[8..^4]);

        var replacement = TestKeys.Numbered(12);
        _sample.OpenAI.Allow(replacement);
        _sample.WriteDotEnv(replacement);
        var healthy = await WaitForHealthAsync(client, "Healthy");

        Fingerprint(healthy).Should().Be("sk-proj-…0012");
        (await client.PostAsJsonAsync("/chat", new { message = "And now?" })).StatusCode.Should().Be(HttpStatusCode.OK);
        _sample.App.Services.GetFakeLogCollector().ShouldNotContainSecrets(_key, replacement);
    }

    [Fact]
    public async Task Health_RejectedKeyAcceptedAgain_HealthyAfterTheFirstRequestThatSucceeds()
    {
        using var client = _sample.App.CreateClient();
        _sample.OpenAI.Revoke(_key);
        (await client.PostAsJsonAsync("/chat", new { message = "Hello?" })).StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        _sample.OpenAI.Allow(_key);
        (await client.PostAsJsonAsync("/chat", new { message = "Hello again?" })).StatusCode.Should().Be(HttpStatusCode.OK);
        using var response = await client.GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"status\":\"Healthy\"");
    }

    [Fact]
    public async Task Health_DotEnvDeletedWhileTheVariableHoldsAnotherKey_KeepsTheDotEnvKeyAndReportsDegraded()
    {
        var other = TestKeys.Numbered(13);
        Environment.SetEnvironmentVariable(_variable, other);
        using var client = _sample.App.CreateClient();
        (await client.PostAsJsonAsync("/chat", new { message = "Hello?" })).StatusCode.Should().Be(HttpStatusCode.OK);

        File.Delete(_sample.DotEnvPath);
        var degraded = await WaitForHealthAsync(client, "Degraded");

        degraded.Should().Contain("no longer has a key");
        Fingerprint(degraded).Should().Be("sk-proj-…0011");
        (await client.PostAsJsonAsync("/chat", new { message = "Still there?" })).StatusCode.Should().Be(HttpStatusCode.OK);
        _sample.OpenAI.LastAcceptedKey.Should().Be(_key, "the deleted .env file's key is kept, not the variable's");
        _sample.App.Services.GetFakeLogCollector().ShouldNotContainSecrets(_key, other);
    }

    private static string? Fingerprint(string health)
    {
        using var json = JsonDocument.Parse(health);
        return json.RootElement.GetProperty("entries").GetProperty("openai-key").GetProperty("data").GetProperty("fingerprint").GetString();
    }

    /// <summary>Polls <c>/health</c> until it reports <paramref name="status"/>, for at most <see cref="Bound"/>; returns the body.</summary>
    private static async Task<string> WaitForHealthAsync(HttpClient client, string status)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            var body = await client.GetStringAsyncAnyStatus("/health", bound.Token);
            if (body.Contains($"{{\"status\":\"{status}\"", StringComparison.Ordinal))
            {
                return body;
            }

            bound.IsCancellationRequested.Should().BeFalse("/health should report {0} within {1}; it says {2}", status, Bound, body);
            await Task.Delay(50, CancellationToken.None);
        }
    }
}

/// <summary>Reads a body whatever the status: <c>/health</c> answers 503 when Unhealthy.</summary>
internal static class HttpClientBodyExtensions
{
    public static async Task<string> GetStringAsyncAnyStatus(this HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
