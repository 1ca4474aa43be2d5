using System.Text.RegularExpressions;
using KeyVaulting.Samples.Console;
using KeyVaulting.Samples.Tests.Infrastructure;

namespace KeyVaulting.Samples.Tests.ConsoleSample;

/// <summary>
/// The console sample's default run, as a newcomer starts it: no arguments, no configuration, no network. The demo runs
/// once for the class (it takes a few seconds: it waits for a real rotation) and each test checks one promise.
/// </summary>
public sealed class OfflineDemoTests(OfflineDemoTests.DefaultRun demo) : IClassFixture<OfflineDemoTests.DefaultRun>
{
    [Fact]
    public async Task RunAsync_NoArguments_TellsTheWholeStoryAndExitsZero()
    {
        var run = await demo.Run;

        run.ExitCode.Should().Be(0, run.ToString());
        run.Error.Should().BeEmpty();
        run.Output.Should().Contain("offline demo endpoint on 127.0.0.1");
        run.Output.Should().MatchRegex(@"1\. Key loaded: sk-proj-…0001 from DotEnvFile:\S+\.env:OPENAI_API_KEY");
        run.Output.Should().Contain("2. Chat completion answered: \"Hello from the offline demo endpoint.\"");
        run.Output.Should().MatchRegex(@"3\. Rotation: \.env rewritten with sk-proj-…0002; \d+ requests kept flowing \(0 failed\); now serving sk-proj-…0002 without a restart\.");
        run.Output.Should().Contain("4. Revocation: sk-proj-…0002 revoked at the endpoint; the next request got 401, refreshed once and succeeded with sk-proj-…0003.");
        run.Output.Should().MatchRegex(@"5\. Automated rotation \(KeyVaulting\.Rotation\): minted sk-proj-…0005 through the Admin API, wrote it to \.env, tested and promoted it, then revoked sk-proj-…0004; \d+ requests kept flowing \(0 failed\)\.");
        run.Output.Should().Contain("Done: load, rotation, revocation and automated rotation all behaved as expected.");
    }

    [Fact]
    public async Task RunAsync_NoArguments_RemovesItsTemporaryFolder()
    {
        var run = await demo.Run;

        run.ExitCode.Should().Be(0, run.ToString());
        var keyFile = Regex.Match(run.Output, @"key file: (?<path>\S+\.env) ").Groups["path"].Value;
        keyFile.Should().StartWith(demo.Sample.Folder, "the demo writes its .env in the temporary folder it is given");
        Directory.Exists(Path.GetDirectoryName(keyFile)).Should().BeFalse("the demo deletes its temporary folder when it ends");
        Directory.EnumerateFileSystemEntries(demo.Sample.Folder, "keyvaulting-demo-*").Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_NoArguments_NeverPrintsAKey()
    {
        var run = await demo.Run;

        run.ExitCode.Should().Be(0, run.ToString());
        foreach (var key in Enumerable.Range(1, 5).Select(DemoKeys.Create).Append(DemoKeys.CreateAdmin()))
        {
            run.Output.Should().NotContain(key);
            run.Error.Should().NotContain(key);
        }

        (run.Output + run.Error).Should().NotContain("OFFLINE-DEMO-NOT-A-REAL-KEY", "only fingerprints (sk-proj-…0001) are shown");
        (run.Output + run.Error).Should().NotContain("sk-admin-", "the admin key is never shown, not even as a fingerprint");
    }

    /// <summary>One run of the sample with no arguments, shared by the tests of the class.</summary>
    public sealed class DefaultRun : IDisposable
    {
        public DefaultRun() => Run = Sample.RunAsync();

        internal ConsoleSampleProcess Sample { get; } = new();

        internal Task<ConsoleSampleRun> Run { get; }

        public void Dispose() => Sample.Dispose();
    }
}
