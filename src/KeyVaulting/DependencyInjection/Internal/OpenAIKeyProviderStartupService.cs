using KeyVaulting.Provider;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>
/// Creates every registered provider when the host starts, so that configuration errors fail startup, and loads the
/// first key of those with <see cref="OpenAIKeyProviderOptions.LoadOnStartup"/>.
/// </summary>
internal sealed class OpenAIKeyProviderStartupService(IServiceProvider services, IEnumerable<OpenAIKeyProviderRegistration> registrations) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var providers = registrations
            .Select(r => services.GetRequiredKeyedService<OpenAIKeyProvider>(r.Name))
            .ToList();

        await Task.WhenAll(providers
            .Where(p => p.Options.LoadOnStartup)
            .Select(p => p.GetKeyAsync(cancellationToken).AsTask())).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
