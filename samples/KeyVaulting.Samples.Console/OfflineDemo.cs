using KeyVaulting;
using KeyVaulting.Rotation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace KeyVaulting.Samples.Console;

/// <summary>
/// The default run: no arguments, no configuration, no network. A generated fake key in a temporary <c>.env</c>, a
/// local OpenAI-compatible endpoint (with an Admin API stand-in), and the same wiring an app uses, showing load,
/// rotation, revocation and an automated rotation by KeyVaulting.Rotation.
/// </summary>
internal static class OfflineDemo
{
    private const string Model = "gpt-4o-mini";
    private const string AdminKeys = "openai-admin";

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("keyvaulting-demo-");
        var dotEnv = Path.Combine(folder.FullName, ".env");
        var adminEnv = Path.Combine(folder.FullName, "admin.env");
        try
        {
            await using var endpoint = await OfflineOpenAIServer.StartAsync();
            var key1 = DemoKeys.Create(1);
            endpoint.Allow(key1);
            WriteDotEnv(dotEnv, key1);
            var adminKey = DemoKeys.CreateAdmin();
            endpoint.AllowAdmin(adminKey);
            WriteDotEnv(adminEnv, adminKey, "OPENAI_ADMIN_KEY");

            output.WriteLine("KeyVaulting offline demo: no network, no real key.");
            output.WriteLine($"  endpoint: {endpoint.Endpoint} (the offline demo endpoint on 127.0.0.1, a stand-in for api.openai.com)");
            output.WriteLine($"  key file: {dotEnv} (a generated fake key, readable by you only)");
            output.WriteLine();

            // Exactly the wiring an application writes.
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddOpenAIKeyProvider(o =>
                {
                    o.RefreshInterval = TimeSpan.FromSeconds(2); // short, so the demo shows a rotation quickly
                    o.MinimumRefreshInterval = TimeSpan.FromSeconds(1);
                })
                .AddDotEnvFile(o =>
                {
                    o.Path = dotEnv;
                    o.SearchParentDirectories = false;
                });
            builder.Services.AddOpenAIClient(o => o.Endpoint = endpoint.Endpoint);
            builder.Services.AddOpenAIChatClient(Model);

            // Automated rotation: the admin key has a provider of its own; new keys are written to the same .env.
            builder.Services.AddOpenAIKeyProvider(AdminKeys).AddDotEnvFile(o =>
            {
                o.Path = adminEnv;
                o.Variable = "OPENAI_ADMIN_KEY";
                o.SearchParentDirectories = false;
            });
            builder.Services.AddOpenAIKeyRotation(rotation =>
                {
                    rotation.ProjectId = "proj_offline_demo";
                    rotation.ServiceAccountId = "svc_acct_offline_demo";
                    rotation.AdminEndpoint = new Uri(endpoint.Endpoint + "/");
                    rotation.Endpoint = new Uri(endpoint.Endpoint + "/");
                    rotation.Environment = "demo";
                    rotation.RunInBackground = false; // the demo calls the rotator itself
                })
                .UseDotEnvFile(o =>
                {
                    o.Path = dotEnv;
                    o.SearchParentDirectories = false;
                });
            using var host = builder.Build();
            await host.StartAsync(cancellationToken);

            var keys = host.Services.GetRequiredService<IOpenAIKeyProvider>();
            var chat = host.Services.GetRequiredService<ChatClient>();

            var loaded = await keys.GetKeyAsync(cancellationToken);
            output.WriteLine($"1. Key loaded: {loaded.Fingerprint} from {loaded.Source}");

            var answer = await chat.CompleteChatAsync([new UserChatMessage("Say hello.")], cancellationToken: cancellationToken);
            Expect(endpoint.LastAcceptedKey == key1, "the first request did not carry the loaded key");
            output.WriteLine($"2. Chat completion answered: \"{answer.Value.Content[0].Text}\"");

            var (sent, failed, rotated) = await RotateWhileRequestsFlowAsync(endpoint, keys, chat, dotEnv, cancellationToken);
            output.WriteLine($"3. Rotation: .env rewritten with {rotated.Fingerprint}; {sent} requests kept flowing ({failed} failed); " +
                             $"now serving {rotated.Fingerprint} without a restart.");

            var key3 = DemoKeys.Create(3);
            endpoint.Allow(key3);
            endpoint.Revoke(rotated.Value);
            WriteDotEnv(dotEnv, key3);
            var rejectedBefore = endpoint.UnauthorizedCount;
            await chat.CompleteChatAsync([new UserChatMessage("Are you still there?")], cancellationToken: cancellationToken);
            var recovered = await keys.GetKeyAsync(cancellationToken);
            Expect(endpoint.UnauthorizedCount == rejectedBefore + 1, $"expected exactly one 401, saw {endpoint.UnauthorizedCount - rejectedBefore}");
            Expect(endpoint.LastAcceptedKey == key3 && recovered.Value == key3, "the request did not recover with the new key");
            output.WriteLine($"4. Revocation: {rotated.Fingerprint} revoked at the endpoint; the next request got 401, " +
                             $"refreshed once and succeeded with {recovered.Fingerprint}.");

            var rotator = host.Services.GetRequiredService<IOpenAIKeyRotator>();
            var (minted, replaced, requests) = await RotateAutomaticallyAsync(endpoint, keys, chat, rotator, key3, cancellationToken);
            output.WriteLine($"5. Automated rotation (KeyVaulting.Rotation): minted {minted.Fingerprint} through the Admin API, wrote it to " +
                             $".env, tested and promoted it, then revoked {replaced.Fingerprint}; {requests} requests kept flowing (0 failed).");

            await host.StopAsync(cancellationToken);
            output.WriteLine();
            output.WriteLine("Done: load, rotation, revocation and automated rotation all behaved as expected.");
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Sent, int Failed, OpenAIKey Rotated)> RotateWhileRequestsFlowAsync(
        OfflineOpenAIServer endpoint, IOpenAIKeyProvider keys, ChatClient chat, string dotEnv, CancellationToken cancellationToken)
    {
        var key2 = DemoKeys.Create(2);
        endpoint.Allow(key2); // the old key stays valid at OpenAI until you revoke it

        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = keys.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
        var traffic = DemoTraffic.Start(chat, TimeSpan.FromMilliseconds(50), cancellationToken);

        WriteDotEnv(dotEnv, key2);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        var rotated = await keys.GetKeyAsync(cancellationToken);
        await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: cancellationToken);
        var (sent, failed) = await traffic.StopAsync();

        Expect(rotated.Value == key2, "the provider did not pick up the rewritten .env file");
        Expect(endpoint.LastAcceptedKey == key2, "requests after the rotation did not carry the new key");
        Expect(failed == 0, $"{failed} requests failed during the rotation");
        return (sent + 1, failed, rotated);
    }

    /// <summary>
    /// Two rotations while requests flow, each revoking at once as after a leak: the first replaces the hand-written
    /// key (KeyVaulting did not mint it, so it cannot revoke it: that stays a dashboard action), the second replaces
    /// the key the first minted and revokes it through the Admin API.
    /// </summary>
    private static async Task<(OpenAIKey Minted, OpenAIKey Replaced, int Requests)> RotateAutomaticallyAsync(
        OfflineOpenAIServer endpoint, IOpenAIKeyProvider keys, ChatClient chat, IOpenAIKeyRotator rotator, string handWritten, CancellationToken cancellationToken)
    {
        var traffic = DemoTraffic.Start(chat, TimeSpan.FromMilliseconds(20), cancellationToken);

        // Step 4 has just made this app's provider read its store, so the rotator's refresh at promotion is held back
        // by MinimumRefreshInterval: the rotator waits until the provider serves the new key before it revokes the old one.
        var first = await rotator.RotateNowAsync(RevokeTiming.Immediately, cancellationToken);
        Expect(first.Outcome == OpenAIKeyRotationOutcome.Completed, $"the first rotation ended {first.Outcome}");
        var replaced = await ServedAsync(keys, first, cancellationToken);
        Expect(replaced.Value != handWritten, $"the provider still serves the hand-written key after the first rotation ({first})");
        Expect(endpoint.IsValid(handWritten), "the first rotation revoked a key it did not mint");

        var second = await rotator.RotateNowAsync(RevokeTiming.Immediately, cancellationToken);
        Expect(second.Outcome == OpenAIKeyRotationOutcome.Completed, $"the second rotation ended {second.Outcome}");
        var minted = await ServedAsync(keys, second, cancellationToken);
        await chat.CompleteChatAsync([new UserChatMessage("ping")], cancellationToken: cancellationToken);
        var (sent, failed) = await traffic.StopAsync();

        Expect(minted.Value != replaced.Value, "the second rotation did not mint another key");
        Expect(!endpoint.IsValid(replaced.Value), "the replaced key was not revoked");
        Expect(endpoint.LastAcceptedKey == minted.Value, "requests after the rotation did not carry the minted key");
        Expect(failed == 0, $"{failed} requests failed during the automated rotation");
        return (minted, replaced, sent + 1);
    }

    /// <summary>The key the provider serves once it has the one <paramref name="rotation"/> promoted (bounded wait).</summary>
    private static async Task<OpenAIKey> ServedAsync(IOpenAIKeyProvider keys, OpenAIKeyRotationResult rotation, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            var key = await keys.GetKeyAsync(bound.Token);
            if (key.Fingerprint == rotation.CurrentKeyFingerprint)
            {
                return key;
            }

            Expect(!bound.IsCancellationRequested, $"the provider did not serve the key the rotator promoted ({rotation})");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private static void WriteDotEnv(string path, string key, string variable = "OPENAI_API_KEY")
    {
        // Write beside the file, then replace it in one step, as editors and deploy tools do.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, $"# Generated by the KeyVaulting offline demo: a fake key.\n{variable}={key}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new DemoFailedException(problem);
        }
    }
}
