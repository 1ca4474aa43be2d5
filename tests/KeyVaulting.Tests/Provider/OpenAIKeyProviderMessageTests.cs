using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>What a newcomer reads when the provider has no key, or loads one: advice that fits the chain, said once.</summary>
public sealed class OpenAIKeyProviderMessageTests
{
    private static readonly string Key = TestKeys.Numbered(41);

    [Fact]
    public async Task GetKeyAsync_ChainWithoutAnEnvironmentVariable_AdvisesOnlyItsOwnSource()
    {
        await using var h = new ProviderHarness();
        h.Source.SetNotFound("the secret does not exist");

        var error = await GetErrorAsync(h);

        error.Message.Should().EndWith("Put the key in Memory:source1.").And.NotContain("OPENAI_API_KEY");
    }

    [Fact]
    public async Task GetKeyAsync_ChainWithAnEnvironmentVariable_AdvisesThatVariable()
    {
        var name = "KV_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddEnvironmentVariable(name).AddSource(new MutableKeySource("Memory:store"));
        await using var provider = services.BuildServiceProvider();

        var act = async () => await provider.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which.Message
            .Should().EndWith($"Put the key in one of these sources, for example set the {name} environment variable.");
    }

    [Fact]
    public async Task GetKeyAsync_SourceFails_AdvisesFixingThatSourceNotAnotherOne()
    {
        await using var h = new ProviderHarness(sourceCount: 2);
        h.Sources[0].SetFailure(message: "the vault is unreachable");

        var error = await GetErrorAsync(h);

        error.Message.Should().EndWith("Fix Memory:source1 as its message says; the chain is read again at the next refresh.")
            .And.NotContain("OPENAI_API_KEY");
    }

    [Fact]
    public async Task GetKeyAsync_NoKeyWithAFailingSource_LogsTheReasonOnceWithoutTheExceptionAtError()
    {
        await using var h = new ProviderHarness(services: s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)));
        h.Source.SetFailure(message: "the vault is unreachable");

        await GetErrorAsync(h);

        var errors = h.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).ToList();
        errors.Should().ContainSingle().Which.Exception.Should().BeNull("the exception goes to the caller, who prints it; logging it too repeated it");
        errors[0].Message.Should().Contain("the vault is unreachable");
        h.Logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Debug && r.Exception is OpenAIKeySourceException, "the details stay available at Debug");
    }

    [Theory]
    [InlineData(null, "(version: none)")]
    [InlineData("v7", "(version: v7)")]
    public async Task GetKeyAsync_KeyLoaded_LogNamesTheVersionOrNone(string? version, string expected)
    {
        await using var h = new ProviderHarness();
        h.Source.SetValue(Key, version);

        await h.Provider.GetKeyAsync();

        h.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1).Which.Message.Should().EndWith(expected + ".").And.NotContain("(null)");
    }

    private static async Task<OpenAIKeyUnavailableException> GetErrorAsync(ProviderHarness h)
    {
        var act = async () => await h.Provider.GetKeyAsync();
        return (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
    }
}
