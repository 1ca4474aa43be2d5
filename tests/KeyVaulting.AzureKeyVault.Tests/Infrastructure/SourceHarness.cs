using KeyVaulting.AzureKeyVault.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// Creates Azure Key Vault sources the way the package does (its builder, the application's clock and logger), wired
/// to a <see cref="FakeKeyVault"/>, with fake time and captured logs.
/// </summary>
internal sealed class SourceHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public SourceHarness()
    {
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Time)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace))
            .AddFakeLogging()
            .BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    /// <summary>Gets the application's services (clock, logging), for the rotation target.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Creates a source reading <paramref name="secretName"/> from the vault with its credential and trusted transport.</summary>
    public AzureKeyVaultKeySource Create(FakeKeyVault vault, string secretName, Action<AzureKeyVaultKeySourceOptions>? configure = null)
    {
        var options = new AzureKeyVaultKeySourceOptions { Credential = vault.Credential, ConfigureClientOptions = vault.ClientOptions() };
        configure?.Invoke(options);
        return Create(vault.VaultUri, secretName, options);
    }

    /// <summary>Creates a source for any vault URI with the given options.</summary>
    public AzureKeyVaultKeySource Create(Uri vaultUri, string secretName, AzureKeyVaultKeySourceOptions options)
    {
        options.VaultUri = vaultUri;
        options.SecretName = secretName;
        return AzureKeyVaultKeySourceFactory.Create(_services, options, AzureKeyVaultKeySource.NameOf(secretName, options.Version));
    }

    public void Dispose() => _services.Dispose();
}
