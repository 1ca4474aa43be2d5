using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using KeyVaulting.Reliability.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace KeyVaulting.Reliability.Tests.Load;

/// <summary>
/// The order people use in a panic, under load, on the real clock: the key is revoked at OpenAI first and the new key
/// written to the store two seconds later, while <see cref="Workers"/> clients keep sending chat completions through
/// <c>AddOpenAIClient</c> to a local OpenAI endpoint on 127.0.0.1. Requests fail from the revocation until the new key
/// is read (the rule allows no fewer: no key works in between), and none after: with a <c>.env</c> file the watcher
/// reads the save at once; with a store the provider re-reads it every second while the key is rejected. The counts
/// are written to the test output (recorded in docs/security.md).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class RevokeBeforeWriteLoadTests(ITestOutputHelper output)
{
    private const int Workers = 16;
    private static readonly TimeSpan RevokeAt = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WriteAt = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task CompleteChat_KeyRevokedTwoSecondsBeforeTheDotEnvFileIsSaved_FailsOnlyUntilTheWatcherReadsTheSave()
    {
        var folder = Directory.CreateTempSubdirectory("keyvaulting-revoke-before-write-");
        try
        {
            var dotEnv = Path.Combine(folder.FullName, ".env");
            var (oldKey, newKey) = (Sentinel.Key().Value, Sentinel.Key().Value);
            Save(dotEnv, oldKey);
            var run = await RunAsync(
                builder => builder.AddDotEnvFile(dotEnv),
                oldKey,
                write: () =>
                {
                    Save(dotEnv, newKey);
                    return newKey;
                },
                storeReads: null);

            run.Report(output, ".env file (watched)");
            run.ShouldFailOnlyBetweenTheRevocationAndTheRead(allowance: TimeSpan.FromSeconds(1));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CompleteChat_KeyRevokedTwoSecondsBeforeVaultIsUpdated_FailsOnlyUntilTheNextReadAndReadsVaultAboutOnceASecond()
    {
        await using var store = await HashiCorpVaultStore.StartAsync();
        var run = await RunAsync(
            builder =>
            {
                store.ConfigureServices(builder.Services);
                store.AddTo(builder);
            },
            store.Key.Value,
            write: () => store.Rotate().Value,
            storeReads: () => store.SecretReads);

        run.Report(output, "HashiCorp Vault (polled every second while the key is rejected)");
        run.ShouldFailOnlyBetweenTheRevocationAndTheRead(allowance: TimeSpan.FromSeconds(2));
        run.StoreReadsWhileRejected.Should().BeLessThanOrEqualTo(5, "about one read a second between the revocation and the new key, however many requests failed ({0})", run.Failed);
    }

    private static void Save(string path, string key)
    {
        File.WriteAllText(path, $"OPENAI_API_KEY={key}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Runs the load, revokes <paramref name="oldKey"/> at <see cref="RevokeAt"/> and calls <paramref name="write"/> (which returns the new key) at <see cref="WriteAt"/>.</summary>
    private static async Task<Run> RunAsync(Action<IOpenAIKeyProviderBuilder> addSource, string oldKey, Func<string> write, Func<int>? storeReads)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var openAI = await LocalOpenAIServer.StartAsync(oldKey);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers });
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Information)).AddFakeLogging();
        services.AddHealthChecks().AddOpenAIKeyProvider();
        addSource(services.AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromMinutes(5)));
        services.AddOpenAIClient(settings =>
        {
            settings.Endpoint = openAI.Endpoint;
            settings.Transport = new HttpClientPipelineTransport(http);
            settings.NetworkTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddOpenAIChatClient("gpt-4o-mini");
        await using var sp = services.BuildServiceProvider();
        var chat = sp.GetRequiredService<ChatClient>();
        (await chat.CompleteChatAsync([new UserChatMessage("warm-up")])).GetRawResponse().Status.Should().Be(200);

        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        var results = new List<Result>[Workers];
        using var stop = new CancellationTokenSource(Duration);
        var load = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var mine = results[worker] = [];
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var sent = clock.GetElapsedTime(started);
                int status;
                try
                {
                    status = (await chat.CompleteChatAsync([new UserChatMessage($"w{worker}-{i}")])).GetRawResponse().Status;
                }
                catch (ClientResultException ex)
                {
                    status = ex.Status;
                }

                mine.Add(new Result(sent, clock.GetElapsedTime(started), status));
            }
        })).ToArray();

        await Task.Delay(RevokeAt, CancellationToken.None);
        var readsAtRevocation = storeReads?.Invoke() ?? 0;
        var revokedAt = clock.GetElapsedTime(started);
        openAI.RevokeKey(oldKey);
        await Task.Delay(WriteAt - RevokeAt, CancellationToken.None);
        var healthBeforeWrite = (await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status;
        var replacement = write();
        openAI.AcceptKey(replacement);
        var writtenAt = clock.GetElapsedTime(started);
        await Task.WhenAll(load).WaitAsync(Duration + TimeSpan.FromSeconds(60));

        var all = results.SelectMany(r => r).OrderBy(r => r.Sent).ToList();
        var firstSuccessAfterWrite = all.Where(r => r.Status == 200 && r.Sent >= writtenAt).Select(r => r.Ended).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        var logs = sp.GetFakeLogCollector();
        logs.ShouldNotContainSecrets(oldKey, replacement);
        unobserved.ShouldBeNone();
        return new Run(
            all,
            revokedAt,
            writtenAt,
            firstSuccessAfterWrite,
            storeReads is null ? 0 : storeReads() - readsAtRevocation,
            healthBeforeWrite,
            logs.GetSnapshot().Count(r => r.Level >= LogLevel.Warning));
    }

    private readonly record struct Result(TimeSpan Sent, TimeSpan Ended, int Status);

    private sealed record Run(
        IReadOnlyList<Result> Results, TimeSpan RevokedAt, TimeSpan WrittenAt, TimeSpan FirstSuccessAfterWrite, int StoreReadsWhileRejected, HealthStatus HealthBeforeWrite, int Warnings)
    {
        public int Failed => Results.Count(r => r.Status != 200);

        public void Report(ITestOutputHelper output, string store)
            => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store}: {Results.Count} requests, {Failed} failed (all with 401, between the revocation at {RevokedAt.TotalSeconds:0.000} s and the new key, written at {WrittenAt.TotalSeconds:0.000} s); first success after the write {(FirstSuccessAfterWrite - WrittenAt).TotalMilliseconds:0} ms after it; {StoreReadsWhileRejected} store read(s) from the revocation to the end; {Warnings} warning(s) logged; health before the write: {HealthBeforeWrite}."));

        public void ShouldFailOnlyBetweenTheRevocationAndTheRead(TimeSpan allowance)
        {
            Results.Where(r => r.Ended < RevokedAt).Should().OnlyContain(r => r.Status == 200, "nothing fails before the revocation");
            Results.Where(r => r.Status != 200).Should().OnlyContain(r => r.Status == 401, "only the revoked key fails");
            Results.Where(r => r.Status != 200).Should().OnlyContain(
                r => r.Sent < WrittenAt + allowance, "no request sent more than {0} after the new key was written fails", allowance);
            Results.Where(r => r.Sent > WrittenAt + allowance).Should().NotBeEmpty().And.OnlyContain(r => r.Status == 200);
            FirstSuccessAfterWrite.Should().BeLessThan(WrittenAt + allowance);
            Failed.Should().BeGreaterThan(0, "between the revocation and the write no key works");
            HealthBeforeWrite.Should().Be(HealthStatus.Unhealthy, "every request failed with 401 then");
            Warnings.Should().BeLessThanOrEqualTo(4, "{0} rejected requests log a handful of warnings, not one each", Failed);
        }
    }
}

/// <summary>The load tests run alone: they measure time on the real clock.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "Real-time load";
}
