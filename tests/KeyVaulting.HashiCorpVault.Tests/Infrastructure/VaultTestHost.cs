using System.Security.Cryptography.X509Certificates;
using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.OpenAI;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>
/// Everything one test needs: a fake clock, a Vault server on 127.0.0.1 that uses it, captured logs at every level,
/// a temporary directory for credential files, and sources created the way the package creates them.
/// </summary>
public sealed class VaultTestHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private readonly List<ServiceProvider> _providers = [];

    private VaultTestHost(FakeTimeProvider time, FakeVaultServer server)
    {
        Time = time;
        Server = server;
        Services = BuildServices();
    }

    public FakeTimeProvider Time { get; }

    public FakeVaultServer Server { get; }

    public FakeVault Vault => Server.Vault;

    /// <summary>Gets services with the fake clock and the captured logging, for sources created directly.</summary>
    public ServiceProvider Services { get; }

    /// <summary>Gets every log record of every service provider of the test, at every level.</summary>
    public FakeLogCollector Logs { get; } = new();

    public TemporaryDirectory Files { get; } = new();

    public static async Task<VaultTestHost> StartAsync(X509Certificate2? certificate = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var server = await FakeVaultServer.StartAsync(time, certificate);
        return new VaultTestHost(time, server);
    }

    /// <summary>Builds an application's services: the fake clock, logging into <see cref="Logs"/>, then <paramref name="configure"/>.</summary>
    public ServiceProvider BuildServices(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Time)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>Creates a source for <paramref name="path"/> pointed at the test server; <paramref name="configure"/> runs after.</summary>
    internal HashiCorpVaultKeySource CreateSource(string path, Action<HashiCorpVaultKeySourceOptions>? configure = null)
    {
        var options = new HashiCorpVaultKeySourceOptions { Path = path, Address = Server.Address };
        configure?.Invoke(options);
        var source = HashiCorpVaultKeySourceFactory.Create(options, Services);
        _owned.Add(source);
        return source;
    }

    /// <summary>Creates a source of the OpenAI secrets plugin for <paramref name="role"/> at the mount <c>openai</c>, pointed at the test server.</summary>
    internal VaultOpenAICredentialSource CreateOpenAISource(string role, Action<HashiCorpVaultKeySourceOptions>? configure = null)
    {
        var options = new HashiCorpVaultKeySourceOptions { Path = role, Address = Server.Address, SecretEngine = "OpenAI" };
        configure?.Invoke(options);
        var source = (VaultOpenAICredentialSource)HashiCorpVaultKeySourceFactory.CreateSource(options, Services);
        _owned.Add(source);
        return source;
    }

    /// <summary>Creates a KV v2 mount <c>secret</c>, the key at <c>secret/openai</c> and a token allowed to read it.</summary>
    public string SeedKeyAndToken(string key, TokenPolicy? policy = null)
    {
        Vault.EnableKv();
        Vault.PutKey("openai", key);
        return Vault.CreateToken(policy ?? new TokenPolicy { Read = ["secret/data/openai"] });
    }

    /// <summary>Asserts that no secret of the test (tokens, secret ids, JWTs, keys) is in the logs or the exception.</summary>
    public void ShouldNotLeakSecrets(Exception? exception = null, params string[] more)
    {
        string[] secrets = [.. Vault.Secrets, .. more];
        Logs.ShouldNotContainSecrets(secrets);
        exception?.ShouldNotContainSecrets(secrets);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await Server.DisposeAsync();
        Files.Dispose();
    }
}
