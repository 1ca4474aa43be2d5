using KeyVaulting.Samples.Console;
using KeyVaulting.Samples.Tests.Infrastructure;

namespace KeyVaulting.Samples.Tests.ConsoleSample;

/// <summary><c>--live</c> without a key anywhere: it must stop at key resolution, before any HTTP call.</summary>
public sealed class LiveRunTests : IDisposable
{
    private readonly ConsoleSampleProcess _sample = new();

    [Fact]
    public async Task RunAsync_NoKeyAnywhere_ExitsNonZeroNamingEverySourceTried()
    {
        // The child's environment is only what ConsoleSampleProcess sets: no OPENAI_API_KEY, and its working directory
        // is a fresh folder without a .env. As a safety net, the OpenAI endpoint is a local one that counts requests,
        // so even a key found by accident could not send anything to the internet.
        await using var trap = await OfflineOpenAIServer.StartAsync();
        _sample.SetEnvironment("OpenAI__Endpoint", trap.Endpoint.ToString());

        var run = await _sample.RunAsync("--live");

        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Error.Should().Contain("No OpenAI API key is available");
        run.Error.Should().Contain("1. EnvironmentVariable:OPENAI_API_KEY: not found (the environment variable OPENAI_API_KEY is not set)");
        run.Error.Should().Contain("2. DotEnvFile:.env:OPENAI_API_KEY: not found (no file .env in ").And.Contain(" or any parent directory)");
        run.Output.Should().NotContain("Models available", "it must fail before calling the API");
        (trap.AnsweredCount + trap.UnauthorizedCount).Should().Be(0, "no HTTP request may be sent without a key");
    }

    public void Dispose() => _sample.Dispose();
}
