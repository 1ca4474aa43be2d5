using System.Net;
using System.Text.Json;
using KeyVaulting.Samples.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Samples.Tests.AspNetSample;

/// <summary><c>GET /health</c> of the ASP.NET sample in Development: the key provider's state as JSON, never the key.</summary>
public sealed class HealthReportJsonTests : IAsyncLifetime
{
    private readonly string _key = TestKeys.Numbered(7);
    private DevelopmentSample _sample = null!;

    public async Task InitializeAsync() => _sample = await DevelopmentSample.StartAsync(_key);

    public async Task DisposeAsync() => await _sample.DisposeAsync();

    [Fact]
    public async Task WriteAsync_KeyLoaded_ReportsHealthyWithFingerprintSourceAndAge()
    {
        using var client = _sample.App.CreateClient();
        var key = await _sample.App.Services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        using var response = await client.GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("status").GetString().Should().Be("Healthy");
        var entry = body.RootElement.GetProperty("entries").GetProperty("openai-key");
        entry.GetProperty("status").GetString().Should().Be("Healthy");
        entry.GetProperty("description").GetString().Should().Contain(key.Fingerprint);
        var data = entry.GetProperty("data");
        data.GetProperty("fingerprint").GetString().Should().Be(key.Fingerprint).And.EndWith(_key[^4..]);
        data.GetProperty("source").GetString().Should().Be($"DotEnvFile:{_sample.DotEnvPath}:OPENAI_API_KEY");
        data.GetProperty("ageSeconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task WriteAsync_KeyLoaded_NeverContainsTheKey()
    {
        using var client = _sample.App.CreateClient();

        var body = await client.GetStringAsync("/health");

        body.Should().NotContain(_key);
        body.Should().NotContain(_key[8..^4], "not even the middle of the key");
    }
}
