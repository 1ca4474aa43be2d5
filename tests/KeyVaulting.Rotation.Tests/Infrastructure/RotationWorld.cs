using KeyVaulting.Rotation.Targets.DotEnv;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>
/// One test's world: the OpenAI fake and the Admin API fake on 127.0.0.1, fake time, one store (in memory, or a real
/// <c>.env</c> file in a temporary folder) holding a key made by hand that both fakes know, and rotators created on
/// demand, each in its own service provider, as separate processes would be.
/// </summary>
internal sealed class RotationWorld : IAsyncDisposable
{
    public const string ProjectId = "proj_test";
    public const string ServiceAccountId = "svc_acct_app";
    public const string Variable = "OPENAI_API_KEY";

    private readonly List<ServiceProvider> _providers = [];

    private RotationWorld(FakeTimeProvider time, LocalOpenAIServer api, LocalOpenAIAdminServer admin, TargetKind kind, string? directory, IRotationStore? store = null)
    {
        Store = store;
        Time = time;
        Api = api;
        Admin = admin;
        Kind = kind;
        Directory = directory;
    }

    /// <summary>Gets the admin key: obviously fake, generated.</summary>
    public static string AdminKey { get; } = "sk-admin-" + new string('Z', 40);

    public FakeTimeProvider Time { get; }

    public LocalOpenAIServer Api { get; }

    public LocalOpenAIAdminServer Admin { get; }

    public TargetKind Kind { get; }

    public string? Directory { get; }

    public string DotEnvPath => Path.Combine(Directory!, ".env");

    public InMemoryRotationTarget? Memory { get; private set; }

    /// <summary>Gets the real store of a <see cref="TargetKind.Store"/> world.</summary>
    public IRotationStore? Store { get; }

    /// <summary>Gets the key the store holds at the start, made by hand but known to the Admin API.</summary>
    public MintedApiKey InitialKey { get; private set; } = null!;

    /// <summary>Gets the logs of every rotator created in this world.</summary>
    public List<FakeLogCollector> Logs { get; } = [];

    public static async Task<RotationWorld> StartAsync(TargetKind kind = TargetKind.Memory)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var api = await LocalOpenAIServer.StartAsync();
        var admin = await LocalOpenAIAdminServer.StartAsync(api, AdminKey, ProjectId, ServiceAccountId, time);
        var directory = kind == TargetKind.DotEnv ? System.IO.Directory.CreateTempSubdirectory("kv-rotation-").FullName : null;
        var world = new RotationWorld(time, api, admin, kind, directory);
        world.InitialKey = admin.AddExistingKey(TestKeys.Numbered(0), ServiceAccountId);
        var record = new OpenAIKeyRecord { KeyId = world.InitialKey.Id, ServiceAccountId = ServiceAccountId, CreatedAt = time.GetUtcNow() };
        if (kind == TargetKind.Memory)
        {
            world.Memory = new InMemoryRotationTarget();
            world.Memory.Seed(world.InitialKey.Value, record);
        }
        else
        {
            await File.WriteAllTextAsync(world.DotEnvPath, $"# development settings\nOTHER=1\n{Variable}={world.InitialKey.Value}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(world.DotEnvPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            var state = new DotEnvRotationRecord
            {
                Counter = 1,
                Current = new DotEnvRotationRecord.Entry { Record = record, ValueCheck = DotEnvRotationRecord.Check(world.InitialKey.Value) },
            };
            await File.WriteAllBytesAsync(world.DotEnvPath + ".rotation.json", state.ToJson());
        }

        return world;
    }

    /// <summary>Starts a world whose rotators write to a real store through its package's target.</summary>
    public static async Task<RotationWorld> StartAsync(Func<FakeTimeProvider, Task<IRotationStore>> createStore)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var api = await LocalOpenAIServer.StartAsync();
        var admin = await LocalOpenAIAdminServer.StartAsync(api, AdminKey, ProjectId, ServiceAccountId, time);
        var world = new RotationWorld(time, api, admin, TargetKind.Store, directory: null, await createStore(time));
        world.InitialKey = admin.AddExistingKey(TestKeys.Numbered(0), ServiceAccountId);
        await world.Store!.SeedAsync(world.InitialKey.Value, new OpenAIKeyRecord { KeyId = world.InitialKey.Id, ServiceAccountId = ServiceAccountId, CreatedAt = time.GetUtcNow() });
        return world;
    }

    /// <summary>Adds the world's store, as consumers read it, to a consumer's provider.</summary>
    public void AddConsumerSource(IOpenAIKeyProviderBuilder provider)
    {
        switch (Kind)
        {
            case TargetKind.Memory:
                provider.AddSource(Memory!);
                break;
            case TargetKind.DotEnv:
                provider.AddDotEnvFile(DotEnvPath);
                break;
            default:
                Store!.AddSource(provider);
                break;
        }
    }

    /// <summary>Gets the store's current key as consumers read it.</summary>
    public async Task<string?> CurrentValueAsync()
    {
        var result = await Source().FetchAsync(CancellationToken.None).AsTask().WaitAsync(BoundedRotator.Bound);
        return result.IsFound ? result.Value : null;
    }

    /// <summary>A source over the store, as a consumer reads it (the core package's .env source for a file).</summary>
    public IOpenAIKeySource Source() => Kind switch
    {
        TargetKind.Memory => Memory!,
        TargetKind.DotEnv => new DotEnvReader(DotEnvPath),
        _ => new ProviderReader(this),
    };

    /// <summary>A new rotator in its own service provider, as a new process would create it.</summary>
    public IOpenAIKeyRotator CreateRotator(Action<OpenAIKeyRotationOptions>? configure = null, Action<IServiceCollection>? services = null, string? adminKey = null)
        => new BoundedRotator(CreateServices(configure, services, adminKey).GetRequiredService<IOpenAIKeyRotator>());

    /// <summary>A new service provider with a rotation, as a new process would build it.</summary>
    public ServiceProvider CreateServices(Action<OpenAIKeyRotationOptions>? configure = null, Action<IServiceCollection>? services = null, string? adminKey = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = true).AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        var adminSource = new MutableKeySource("Memory:admin");
        adminSource.SetValue(adminKey ?? AdminKey);
        collection.AddOpenAIKeyProvider(OpenAIKeyRotationOptions.DefaultAdminKeyProviderName, o => o.LoadOnStartup = false).AddSource(adminSource);
        var builder = collection.AddOpenAIKeyRotation(o =>
        {
            o.ProjectId = ProjectId;
            o.ServiceAccountId = ServiceAccountId;
            o.AdminEndpoint = Admin.Endpoint;
            o.Endpoint = Api.Endpoint;
            o.RunInBackground = false;
            o.TestTimeout = TimeSpan.Zero;
            o.ProviderName = null;
            o.Environment = "test";
            configure?.Invoke(o);
        });
        switch (Kind)
        {
            case TargetKind.Memory:
                builder.UseTarget(Memory!);
                break;
            case TargetKind.DotEnv:
                builder.UseDotEnvFile(DotEnvPath);
                break;
            default:
                builder.UseTarget(Store!.CreateTarget);
                break;
        }

        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        Logs.Add(provider.GetFakeLogCollector());
        return provider;
    }

    /// <summary>Every secret of this world: the admin key and every key the Admin API ever knew.</summary>
    public string[] Secrets() => [AdminKey, .. Admin.Keys.Select(k => k.Value), .. Store?.Secrets ?? []];

    /// <summary>Asserts the end state every run must reach: one current key, which is the only live one, nothing staged or awaiting revocation, no secret in any log.</summary>
    public async Task ShouldHaveConvergedAsync()
    {
        var state = await StateAsync();
        state.Pending.Should().BeNull("no rotation may be left half done");
        state.Previous.Should().BeNull("the replaced key must be revoked and forgotten");
        var current = await CurrentValueAsync();
        Admin.LiveKeys.Should().ContainSingle("exactly one key may stay valid")
            .Which.Value.Should().Be(current, "the one live key is the store's current key");
        ShouldNotHaveLeaked();
    }

    public void ShouldNotHaveLeaked()
    {
        var secrets = Secrets();
        foreach (var logs in Logs)
        {
            logs.ShouldNotContainSecrets(secrets);
        }
    }

    public async Task<OpenAIKeyRotationState> StateAsync()
    {
        if (Kind == TargetKind.Store)
        {
            await using var services = new ServiceCollection().AddSingleton<TimeProvider>(Time).BuildServiceProvider();
            var storeTarget = Store!.CreateTarget(services);
            try
            {
                return await storeTarget.ReadAsync(CancellationToken.None).AsTask().WaitAsync(BoundedRotator.Bound);
            }
            finally
            {
                (storeTarget as IDisposable)?.Dispose();
            }
        }

        IOpenAIKeyRotationTarget target = Kind == TargetKind.Memory
            ? Memory!
            : new DotEnvFileRotationTarget(new DotEnvFileKeySourceOptions { Path = DotEnvPath }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return await target.ReadAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await Admin.DisposeAsync();
        await Api.DisposeAsync();
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        if (Directory is not null)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Reads the store's key through its package's source in a new provider, uncached.</summary>
    private sealed class ProviderReader(RotationWorld world) : IOpenAIKeySource
    {
        public string Name => "Store";

        public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
        {
            var collection = new ServiceCollection().AddSingleton<TimeProvider>(world.Time);
            world.Store!.AddSource(collection.AddOpenAIKeyProvider(o => o.LoadOnStartup = false));
            await using var services = collection.BuildServiceProvider();
            try
            {
                var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync(cancellationToken).AsTask().WaitAsync(BoundedRotator.Bound, cancellationToken);
                return OpenAIKeySourceResult.Found(key.Value);
            }
            catch (OpenAIKeyUnavailableException)
            {
                return OpenAIKeySourceResult.NotFound("no key in the store");
            }
        }
    }

    /// <summary>Reads the .env file's key through the core package's own .env source and provider, uncached.</summary>
    private sealed class DotEnvReader(string path) : IOpenAIKeySource
    {
        public string Name => "DotEnv:" + path;

        public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
        {
            await using var services = new ServiceCollection().AddOpenAIKeyProvider(o => o.LoadOnStartup = false).AddDotEnvFile(path).Services.BuildServiceProvider();
            try
            {
                var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync(cancellationToken).AsTask().WaitAsync(BoundedRotator.Bound, cancellationToken);
                return OpenAIKeySourceResult.Found(key.Value);
            }
            catch (OpenAIKeyUnavailableException)
            {
                return OpenAIKeySourceResult.NotFound("no key in the file");
            }
        }
    }
}

/// <summary>The store a world's rotators write to.</summary>
public enum TargetKind
{
    Memory,
    DotEnv,

    /// <summary>A real store (<see cref="RotationWorld.Store"/>) through its package's target and source.</summary>
    Store,
}
