using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.Shared;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// A fake Secrets Manager on 127.0.0.1, a test clock shared with it, credentials it accepts, and sources built the
/// way the application builds them (time, logging at Trace, the named HTTP client) pointed at it.
/// </summary>
internal sealed class SourceHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<string> _secrets = [];

    private SourceHarness(FakeTimeProvider time, FakeSecretsManager server, AwsTestIdentity identity, ServiceProvider services)
    {
        Time = time;
        Server = server;
        Identity = identity;
        Services = services;
        _secrets.AddRange(identity.Secrets);
    }

    public FakeTimeProvider Time { get; }

    public FakeSecretsManager Server { get; }

    public AwsTestIdentity Identity { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>
    /// Every secret the test handled: credentials, secret values, and the signatures sent (replayable for minutes).
    /// None may leak.
    /// </summary>
    public string[] Secrets => [.. _secrets, .. Server.Requests.Select(r => r.Header("authorization")).OfType<string>().Select(a => a.Split("Signature=")[^1])];

    public static async Task<SourceHarness> StartAsync(bool temporaryCredentials = false, TimeProvider? sourceClock = null, Action<IServiceCollection>? configureServices = null)
    {
        var time = new FakeTimeProvider(Start);
        var server = await FakeSecretsManager.StartAsync(time);
        var identity = server.AddIdentity(temporaryCredentials);

        var services = new ServiceCollection();
        services.AddSingleton(sourceClock ?? time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        StoreHttpClient.Register(services, AwsSecretsManagerKeySource.HttpClientName);
        configureServices?.Invoke(services);
        return new SourceHarness(time, server, identity, services.BuildServiceProvider());
    }

    /// <summary>Stores a text version of a secret (it becomes AWSCURRENT) and remembers the value as a secret.</summary>
    public string Put(string name, string value)
    {
        _secrets.Add(value);
        return Server.PutSecretString(name, value);
    }

    public void RememberSecret(string value) => _secrets.Add(value);

    /// <summary>
    /// A source for <paramref name="secretId"/> on the fake server, signed with <see cref="Identity"/> unless configured
    /// otherwise, using the package's named HTTP client, or a client of the source's own when <paramref name="ownClient"/> is set.
    /// </summary>
    public AwsSecretsManagerKeySource CreateSource(string secretId, Action<AwsSecretsManagerKeySourceOptions>? configure = null, bool ownClient = false)
    {
        var options = new AwsSecretsManagerKeySourceOptions
        {
            SecretId = secretId,
            ServiceUrl = Server.Url,
            Region = FakeSecretsManager.Region,
            Credentials = Identity.Credentials,
        };
        configure?.Invoke(options);
        AwsSecretsManagerKeySourceFactory.Validators.Should().OnlyContain(v => v.Validate(secretId, options).Succeeded);
        if (!ownClient)
        {
            return AwsSecretsManagerKeySourceFactory.Create(options, Services);
        }

        var withoutFactory = new ServiceCollection()
            .AddSingleton(Services.GetRequiredService<TimeProvider>())
            .AddSingleton(Services.GetRequiredService<ILoggerFactory>())
            .BuildServiceProvider();
        return AwsSecretsManagerKeySourceFactory.Create(options, withoutFactory);
    }

    /// <summary>Fetches and expects a failure; checks that it leaks no secret.</summary>
    public async Task<OpenAIKeySourceException> FetchFailsAsync(AwsSecretsManagerKeySource source)
    {
        var act = async () => await source.FetchAsync(CancellationToken.None);
        var failure = (await act.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        failure.SourceName.Should().Be(source.Name);
        failure.Message.Should().NotStartWith(source.Name, "the provider puts the source's name in front of the message: once is enough");
        ShouldLeakNothing(failure);
        return failure;
    }

    /// <summary>Asserts that neither the logs nor the exception contain a credential secret or a secret value.</summary>
    public void ShouldLeakNothing(Exception? exception = null)
    {
        Logs.ShouldNotContainSecrets(Secrets);
        exception?.ShouldNotContainSecrets(Secrets);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
    }
}
