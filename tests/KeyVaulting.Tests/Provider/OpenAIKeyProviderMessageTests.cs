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

    [Fact]
    public async Task GetKeyAsync_NamedProviderWithoutAnEnvironmentVariable_ListsEverySourceInOrderUnderTheProvidersName()
    {
        var services = new ServiceCollection();
        var first = new MutableKeySource("Memory:first");
        var second = new MutableKeySource("Memory:second");
        first.SetNotFound("the secret does not exist");
        second.SetNotFound("the file is empty");
        services.AddOpenAIKeyProvider("billing").AddSource(first).AddSource(second);
        await using var provider = services.BuildServiceProvider();

        var act = async () => await provider.GetRequiredKeyedService<IOpenAIKeyProvider>("billing").GetKeyAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which.Message.Should().Be(
            "No OpenAI API key is available for the OpenAI key provider 'billing'. Sources tried, in order:" +
            "\n  1. Memory:first: not found (the secret does not exist)" +
            "\n  2. Memory:second: not found (the file is empty)" +
            "\nPut the key in one of these sources.");
    }

    [Fact]
    public async Task GetKeyAsync_DefaultProviderSourceFailsMidChain_NumbersTheTriedTheFailedAndTheUntriedSources()
    {
        await using var h = new ProviderHarness(sourceCount: 4);
        h.Sources[0].SetNotFound("variable not set");
        h.Sources[1].SetFailure(message: "the vault is unreachable");
        h.Sources[2].SetValue(Key);
        h.Sources[3].SetValue(Key);

        var error = await GetErrorAsync(h);

        const string NotTried = ": not tried (the chain stops at a failure so that an outage never switches to another key)";
        error.Message.Should().StartWith(
            "No OpenAI API key is available for the default OpenAI key provider. Sources tried, in order:" +
            "\n  1. Memory:source1: not found (variable not set)" +
            "\n  2. Memory:source2: failed (the vault is unreachable)" +
            "\n  3. Memory:source3" + NotTried +
            "\n  4. Memory:source4" + NotTried);
        h.Sources[2].FetchCount.Should().Be(0);
        h.Sources[3].FetchCount.Should().Be(0);
    }

    private static async Task<OpenAIKeyUnavailableException> GetErrorAsync(ProviderHarness h)
    {
        var act = async () => await h.Provider.GetKeyAsync();
        return (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).Which;
    }
}
