using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AzureOpenAI.Tests.Infrastructure;

/// <summary>
/// One test's world: a <see cref="FakeAzureOpenAI"/> resource whose key 1 is <see cref="Key1"/>, the default key
/// provider over a <see cref="MutableKeySource"/> standing in for the Key Vault secret that holds it, and
/// <c>AddAzureOpenAIClient</c> pointed at the resource, with fake time and captured logs.
/// </summary>
internal sealed class AzureTestContext : IAsyncDisposable
{
    private AzureTestContext(FakeAzureOpenAI resource, MutableKeySource vault, FakeTimeProvider time, ServiceProvider services)
    {
        Resource = resource;
        Vault = vault;
        Time = time;
        Services = services;
    }

    /// <summary>Gets the resource's key 1 (an obviously fake 32-character value, as Azure's keys are 32 hex digits).</summary>
    public static string Key1 { get; } = new('1', 32);

    /// <summary>Gets the value key 2 is regenerated to.</summary>
    public static string Key2 { get; } = new('2', 32);

    /// <summary>Gets the value key 1 is regenerated to.</summary>
    public static string Key1Regenerated { get; } = new('3', 32);

    public FakeAzureOpenAI Resource { get; }

    public MutableKeySource Vault { get; }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public IOpenAIKeyProvider Provider => Services.GetRequiredService<IOpenAIKeyProvider>();

    public static async Task<AzureTestContext> StartAsync(Action<AzureOpenAIClientSettings>? configure = null, Action<IServiceCollection>? services = null)
    {
        var resource = await FakeAzureOpenAI.StartAsync(Key1);
        var vault = new MutableKeySource("AzureKeyVault:azure-openai-key");
        vault.SetValue(Key1, version: "v1");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var collection = new ServiceCollection();
        collection.AddFakeLogging();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddOpenAIKeyProvider().AddSource(vault);
        collection.AddAzureOpenAIClient(settings =>
        {
            settings.Endpoint = resource.Endpoint;
            configure?.Invoke(settings);
        });
        services?.Invoke(collection);
        return new AzureTestContext(resource, vault, time, collection.BuildServiceProvider(validateScopes: true));
    }

    /// <summary>A minute of real time: a call whose server never answers fails the test instead of hanging it.</summary>
    public static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token;

    /// <summary>Moves fake time past the provider's minimum interval between forced refreshes (5 seconds).</summary>
    public void PassMinimumRefreshInterval() => Time.Advance(TimeSpan.FromSeconds(6));

    public void ShouldNotHaveLeakedKeys(params Exception?[] exceptions)
    {
        Logs.ShouldNotContainSecrets(Key1, Key2, Key1Regenerated);
        foreach (var exception in exceptions)
        {
            exception?.ShouldNotContainSecrets(Key1, Key2, Key1Regenerated);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Resource.DisposeAsync();
    }
}
