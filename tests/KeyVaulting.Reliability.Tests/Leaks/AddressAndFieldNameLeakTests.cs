using System.Text;
using KeyVaulting.AwsSecretsManager;
using KeyVaulting.AzureKeyVault;
using KeyVaulting.HashiCorpVault;
using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// Two more ways a secret reaches a message, under the leak harness: a JSON secret whose field name is a key (the
/// source lists a secret's field names when the configured one is missing), and a store or OpenAI address written
/// with a credential in its user information (<c>https://user:password@host</c>), in code or in configuration.
/// </summary>
public sealed class AddressAndFieldNameLeakTests
{
    private const string Field = "apiKey";

    public static TheoryData<string> AllStores() => new(Stores.All);

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task GetKeyAsync_JsonSecretWhoseFieldNameIsAKey_FieldsListedWithTheKeyMasked(string storeName)
    {
        await using var store = await Stores.StartAsync(storeName, Field);
        store.SecretText = $$"""{"{{store.Key.Value}}": "pasted as a name", "organization": "org-test"}""";
        await using var world = StoreWorld.Create(store);

        var refused = await world.GetKeyFailsAsync();

        refused.Message.Should().Contain(store.SourceName).And.Contain($"'{Field}'")
            .And.Contain("organization", "a field name that is not secret-shaped is still listed, to help find the right one");
        await world.CheckHealthAsync();
        world.Witness.ShouldNotHaveLeaked();
    }

    [Fact]
    public async Task Registration_AddressWithACredentialInItsUserInformation_RefusedWithoutRepeatingIt()
    {
        // The password is a credential the witness watches: the Vault store's own token.
        await using var store = (HashiCorpVaultStore)await Stores.StartAsync(Stores.HashiCorpVault);
        var password = store.Token.Value;
        var withUser = new Uri($"https://ops:{password}@store.example.test/");
        var refusals = new List<Exception>();

        refusals.Add(Refused(() => new ServiceCollection().AddOpenAIKeyProvider().AddHashiCorpVault("openai", o => o.Address = withUser)));
        refusals.Add(Refused(() => new ServiceCollection().AddOpenAIKeyProvider().AddAzureKeyVault(new Uri($"https://ops:{password}@my-vault.vault.azure.net/"), "openai")));
        refusals.Add(await RefusedAtStartAsync(HostFor(s => s.AddOpenAIKeyProvider().AddAwsSecretsManager("prod/openai", o =>
        {
            o.Region = "us-east-1";
            o.ServiceUrl = withUser;
        }))));
        refusals.Add(await RefusedAtStartAsync(HostFor(s => s.AddOpenAIClient(o => o.Endpoint = withUser))));
        foreach (var json in new[]
        {
            $$"""{ "KeyVaulting": { "Sources": { "Vault": { "Type": "HashiCorpVault", "Address": "{{withUser}}", "Path": "openai" } } } }""",
            $$"""{ "KeyVaulting": { "Sources": { "Aws": { "Type": "AwsSecretsManager", "SecretId": "prod/openai", "Region": "us-east-1", "ServiceUrl": "{{withUser}}" } } } }""",
            $$"""{ "KeyVaulting": { "Sources": { "Env": { "Type": "EnvironmentVariable" } } }, "OpenAI": { "Endpoint": "{{withUser}}" } }""",
        })
        {
            var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
            refusals.Add(await RefusedAtStartAsync(HostFor(s =>
            {
                s.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
                s.AddOpenAIClient(configuration.GetSection("OpenAI"));
            })));
        }

        refusals.Should().AllSatisfy(e => e.ToString().Should().Contain("user information", "the message says what to remove"));

        // One scenario that reads, so that the witness has logs, measurements and activities to look at too.
        await using var world = StoreWorld.Create(store);
        (await world.GetKeyAsync()).Value.Should().Be(store.Key.Value);
        foreach (var refusal in refusals)
        {
            world.Witness.Saw(refusal);
        }

        world.Witness.ShouldNotHaveLeaked();
    }

    private static Exception Refused(Action register) => LeakScenarios.Refused(register, "an address with user information is refused");

    private static Func<IHost> HostFor(Action<IServiceCollection> configure) => () =>
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        configure(builder.Services);
        return builder.Build();
    };

    /// <summary>Builds and starts the host: the address is refused when the options are validated, at the latest at start.</summary>
    private static async Task<Exception> RefusedAtStartAsync(Func<IHost> build)
    {
        try
        {
            using var host = build();
            await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            return ex;
        }

        throw new Xunit.Sdk.XunitException("The host started with an address that holds user information.");
    }
}
