using KeyVaulting.Samples.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KeyVaulting.Samples.Tests.AspNetSample;

/// <summary>
/// The ASP.NET sample's appsettings.{Environment}.json files: switching <c>ASPNETCORE_ENVIRONMENT</c> switches the store.
/// The host starts for real (so every setting is validated), with <c>LoadOnStartup=false</c> so that no store is read.
/// </summary>
public sealed class AppSettingsTests
{
    [Theory]
    [InlineData("Development", new[] { "DotEnvFile:.env:OPENAI_API_KEY", "EnvironmentVariable:OPENAI_API_KEY" })]
    [InlineData("Staging", new[] { "AwsSecretsManager:staging/openai-api-key" })]
    [InlineData("Production", new[] { "AzureKeyVault:openai-api-key" })]
    [InlineData("Vault", new[] { "HashiCorpVault:secret/openai" })]
    [InlineData("Test", new[] { "EnvironmentVariable:OPENAI_API_KEY", "DotEnvFile:.env:OPENAI_API_KEY" })] // no file: the default chain
    public async Task Environment_Starts_BuildsItsStoresChainWithoutContactingIt(string environment, string[] expectedChain)
    {
        using var outbound = new OutboundHttpRecorder();
        await using var app = new AspNetSampleFactory(environment, new Dictionary<string, string?> { ["KeyVaulting:LoadOnStartup"] = "false" });

        _ = app.Server; // starts the host: options are validated and the provider with its sources is built
        app.Services.GetRequiredService<IHostEnvironment>().EnvironmentName.Should().Be(environment);

        ConfiguredChain.SourceNames(app.Services).Should().Equal(expectedChain);
        outbound.OffMachineHosts.Should().BeEmpty("building a chain must not contact a store or an identity endpoint");
    }
}
