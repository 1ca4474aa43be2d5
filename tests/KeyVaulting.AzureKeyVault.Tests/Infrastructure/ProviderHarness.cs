using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>An application's services with fake time and captured logs, as a test builds them.</summary>
internal sealed class ProviderHarness
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public ServiceCollection Services { get; } = CreateServices();

    public ServiceProvider Build()
    {
        Services.AddSingleton<TimeProvider>(Time);
        return Services.BuildServiceProvider();
    }

    /// <summary>Starts the hosted services as the host does at startup, which creates every provider and loads the first key.</summary>
    public static async Task StartAsync(IServiceProvider services)
    {
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Completes when the provider's key changes.</summary>
    public static Task WhenChanged(IOpenAIKeyProvider provider)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
        return changed.Task;
    }

    public static FakeLogCollector Logs(IServiceProvider services) => services.GetFakeLogCollector();

    private static ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging();
        return services;
    }
}
