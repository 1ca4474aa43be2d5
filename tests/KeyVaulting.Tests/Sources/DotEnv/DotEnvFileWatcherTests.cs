using KeyVaulting.Diagnostics;
using KeyVaulting.Provider;
using KeyVaulting.Sources.DotEnv;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Tests.Sources.DotEnv;

/// <summary>
/// The <c>.env</c> watcher, on the real clock and the real file system: a save is served without waiting for the
/// refresh (an hour here, so only the watcher can bring it), whichever way the editor saves. Every wait is bounded.
/// </summary>
public sealed class DotEnvFileWatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _folder = new();
    private ServiceProvider _services = null!;

    private OpenAIKeyProvider Provider => (OpenAIKeyProvider)_services.GetRequiredService<IOpenAIKeyProvider>();

    private string DotEnv => _folder.PathOf(".env");

    public Task InitializeAsync()
    {
        Save(TestKeys.Numbered(1));
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromHours(1)).AddDotEnvFile(DotEnv);
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Save_FileRewrittenInPlace_ServedWithoutWaitingForTheRefresh()
    {
        (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(1));

        var changed = NextChange();
        await File.WriteAllTextAsync(DotEnv, $"OPENAI_API_KEY={TestKeys.Numbered(2)}\n");

        await changed.WaitAsync(Bound);
        (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(2));
        _services.GetFakeLogCollector().ShouldNotContainSecrets(TestKeys.Numbered(1), TestKeys.Numbered(2));
    }

    [Fact]
    public async Task Save_EditorWritesATemporaryFileAndRenamesItOver_EverySaveServed()
    {
        (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(1));

        for (var i = 2; i <= 4; i++)
        {
            var changed = NextChange();
            var temporary = _folder.WriteFile($".env.{i}.tmp", $"OPENAI_API_KEY={TestKeys.Numbered(i)}\n");
            File.Move(temporary, DotEnv, overwrite: true);

            await changed.WaitAsync(Bound);
            (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(i), "save {0} replaced the file by a rename", i - 1);
        }

        ((DotEnvFileWatcher)Provider.Watchers[0]!).IsWatching.Should().BeTrue("a rename over the file does not break the watch");
    }

    [Fact]
    public async Task Save_EditorRenamesTheOldFileAwayThenWritesANewOne_Served()
    {
        (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(1));

        var changed = NextChange();
        File.Move(DotEnv, DotEnv + "~"); // the backup, as vim makes it
        Save(TestKeys.Numbered(2));

        await changed.WaitAsync(Bound);
        (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(2));
    }

    [Fact]
    public async Task Delete_ThenRestoredWithANewKey_KeepsTheKeyMeanwhileThenServesTheNewOne()
    {
        var first = await Provider.GetKeyAsync();
        var logs = _services.GetFakeLogCollector();

        File.Delete(DotEnv);
        await WaitUntilAsync(() => logs.GetSnapshot().Any(r => r.Id.Id == 3 && r.Message.Contains("no longer has a key", StringComparison.Ordinal)), "the deletion should be read");
        (await Provider.GetKeyAsync()).Should().BeSameAs(first, "a deleted .env keeps the key it served");
        var changed = NextChange();
        Save(TestKeys.Numbered(2));

        await changed.WaitAsync(Bound);
        (await Provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(2));
    }

    [Fact]
    public async Task Dispose_Provider_DisposesItsWatcher()
    {
        await Provider.GetKeyAsync();
        var watcher = (DotEnvFileWatcher)Provider.Watchers[0]!;
        watcher.IsWatching.Should().BeTrue();

        await Provider.DisposeAsync();

        watcher.IsDisposed.Should().BeTrue();
        watcher.IsWatching.Should().BeFalse();
    }

    [Fact]
    public async Task Watch_SourceTheApplicationOwns_IsNotWatched()
    {
        var source = new DotEnvFileKeySource(new DotEnvFileKeySourceOptions { Path = DotEnv }, NullLogger.Instance);
        using var metrics = new KeyVaultingMetrics(meterFactory: null);
        await using var provider = new OpenAIKeyProvider(
            "owned-elsewhere", [source], ownedSources: [], new OpenAIKeyProviderOptions(), TimeProvider.System, NullLogger.Instance, metrics);

        await provider.GetKeyAsync();

        provider.Watchers.Should().ContainSingle().Which.Should().BeNull("the provider attaches nothing to a source it does not own");
    }

    [Fact]
    public async Task Watch_DirectoryMissingAtFirst_RefreshFindsTheFileAndWatchingStarts()
    {
        var missing = _folder.PathOf("later", ".env");
        var fallback = new MutableKeySource("Memory:fallback");
        fallback.SetValue(TestKeys.Numbered(9));
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddOpenAIKeyProvider(o =>
        {
            o.RefreshInterval = TimeSpan.FromSeconds(1);
            o.MinimumRefreshInterval = TimeSpan.FromSeconds(1);
        }).AddDotEnvFile(missing).AddSource(fallback);
        await using var sp = services.BuildServiceProvider();
        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();
        (await provider.GetKeyAsync()).Value.Should().Be(TestKeys.Numbered(9));
        var watcher = (DotEnvFileWatcher)provider.Watchers[0]!;
        watcher.IsWatching.Should().BeFalse("its directory does not exist");
        sp.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => r.Id.Id == 33).Which.Message.Should().Contain("does not exist");

        Directory.CreateDirectory(Path.GetDirectoryName(missing)!);
        _folder.WriteFile(Path.Combine("later", ".env"), $"OPENAI_API_KEY={TestKeys.Numbered(3)}\n");

        await WaitUntilAsync(() => provider.GetKeyAsync().AsTask().Result.Value == TestKeys.Numbered(3), "the periodic refresh (1 s) should find the file");
        // The watch is tried again right after the read that found the key, which may end just after the key is served.
        await WaitUntilAsync(() => watcher.IsWatching, "watching is tried again after every read");
    }

    private void Save(string key) => _folder.WriteFile(".env", $"OPENAI_API_KEY={key}\n");

    private Task NextChange()
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Provider.GetChangeToken().RegisterChangeCallback(static state => ((TaskCompletionSource)state!).TrySetResult(), changed);
        return changed.Task;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (!condition())
        {
            bound.IsCancellationRequested.Should().BeFalse(because);
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
