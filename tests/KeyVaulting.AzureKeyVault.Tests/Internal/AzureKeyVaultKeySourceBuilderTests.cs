using System.Reflection;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Tests.Internal;

public sealed class AzureKeyVaultKeySourceBuilderTests
{
    [Fact]
    public void Create_NoCredential_UsesDefaultAzureCredential()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        var source = AzureKeyVaultKeySourceBuilder.Create(
            services, new Uri("https://my-vault.vault.azure.net/"), "openai-api-key", new AzureKeyVaultKeySourceOptions());

        source.CredentialName.Should().Be(nameof(DefaultAzureCredential));
        source.Client.VaultUri.Should().Be(new Uri("https://my-vault.vault.azure.net/"));
    }

    [Fact]
    public void Create_Source_LogsWhichCredentialReadsWhichVault()
    {
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace))
            .AddFakeLogging()
            .BuildServiceProvider();

        AzureKeyVaultKeySourceBuilder.Create(
            services, new Uri("https://my-vault.vault.azure.net/"), "openai-api-key", new AzureKeyVaultKeySourceOptions { Version = "0123abcd" });

        var record = services.GetFakeLogCollector().LatestRecord;
        record.Id.Id.Should().Be(103);
        record.Message.Should().Be("AzureKeyVault:openai-api-key@0123abcd reads Azure Key Vault https://my-vault.vault.azure.net/ with DefaultAzureCredential.");
    }

    [Fact]
    public async Task Create_SourcesSharingOwnClientOptionsBuiltConcurrently_AddTheResponseCapOnce()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        for (var round = 0; round < 20; round++)
        {
            var shared = new SecretClientOptions();
            using var start = new ManualResetEventSlim();
            var builds = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            {
                start.Wait();
                return AzureKeyVaultKeySourceBuilder.Create(
                    services, new Uri("https://my-vault.vault.azure.net/"), "key-" + i, new AzureKeyVaultKeySourceOptions { ClientOptions = shared, Credential = new TestCredential() });
            })).ToArray();

            start.Set();
            await Task.WhenAll(builds);

            PoliciesOf(shared).Should().ContainSingle(p => p.Policy is ResponseSizeLimitPolicy)
                .Which.Position.Should().Be(HttpPipelinePosition.BeforeTransport, "the cap sits next to the transport, below the SDK's buffering");
        }
    }

    [Fact]
    public void Create_OwnClientOptions_AddsOnlyTheResponseCap()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var own = new SecretClientOptions(SecretClientOptions.ServiceVersion.V7_5);
        own.Retry.MaxRetries = 7;
        var transport = new HttpClientTransport(new HttpClient());
        own.Transport = transport;

        AzureKeyVaultKeySourceBuilder.Create(services, new Uri("https://my-vault.vault.azure.net/"), "openai-api-key", new AzureKeyVaultKeySourceOptions { ClientOptions = own, Credential = new TestCredential() });

        PoliciesOf(own).Should().ContainSingle().Which.Policy.Should().BeOfType<ResponseSizeLimitPolicy>();
        own.Version.Should().Be(SecretClientOptions.ServiceVersion.V7_5);
        own.Retry.MaxRetries.Should().Be(7);
        own.Transport.Should().BeSameAs(transport);
        own.RetryPolicy.Should().BeNull();
    }

    /// <summary>
    /// The policies added to client options. The Azure SDK keeps them in an internal list (Azure.Core's
    /// <c>ClientOptions.Policies</c>); a pipeline built from the options shows no more, and a cap added twice behaves
    /// as one, so this is the only place where "exactly once" can be seen. Fails loudly if Azure.Core renames it.
    /// </summary>
    private static List<(HttpPipelinePosition Position, HttpPipelinePolicy Policy)> PoliciesOf(ClientOptions options)
    {
        var property = typeof(ClientOptions).GetProperty("Policies", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Azure.Core's ClientOptions no longer has its internal Policies list; update this test.");
        return property.GetValue(options) as List<(HttpPipelinePosition, HttpPipelinePolicy)> ?? [];
    }
}
