using KeyVaulting.Samples.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Samples.Tests.ConsoleSample;

/// <summary><c>--source env|dotenv|azure|aws|vault</c>: the code and configuration printed for each store are real.</summary>
public sealed class SourceExamplesTests : IDisposable
{
    private readonly ConsoleSampleProcess _sample = new();

    [Theory]
    [InlineData("env", ".AddEnvironmentVariable(\"OPENAI_API_KEY\")", "EnvironmentVariable:OPENAI_API_KEY")]
    [InlineData("dotenv", ".AddDotEnvFile(\".env\", \"OPENAI_API_KEY\")", "DotEnvFile:.env:OPENAI_API_KEY")]
    [InlineData("azure", ".AddAzureKeyVault(new Uri(\"https://my-vault.vault.azure.net/\"), \"openai-api-key\")", "AzureKeyVault:openai-api-key")]
    [InlineData("aws", ".AddAwsSecretsManager(\"prod/openai-api-key\"", "AwsSecretsManager:prod/openai-api-key")]
    [InlineData("vault", ".AddHashiCorpVault(\"openai\"", "HashiCorpVault:secret/openai")]
    public async Task Show_KnownSource_PrintsCodeAndConfigurationThatBuildThatSource(string store, string code, string sourceName)
    {
        var run = await _sample.RunAsync("--source", store);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Error.Should().BeEmpty();
        run.Output.Should().Contain(code);

        var json = run.Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith("{ \"KeyVaulting\"", StringComparison.Ordinal));
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        ConfiguredChain.SourceNames(configuration.GetSection("KeyVaulting")).Should().Equal(sourceName);
    }

    [Fact]
    public async Task Show_UnknownSource_ExitsNonZeroListingTheKnownOnes()
    {
        var run = await _sample.RunAsync("--source", "keychain");

        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Output.Should().BeEmpty();
        run.Error.Should().Contain("Unknown source 'keychain'. Choose one of: env, dotenv, azure, aws, vault.");
    }

    public void Dispose() => _sample.Dispose();
}
