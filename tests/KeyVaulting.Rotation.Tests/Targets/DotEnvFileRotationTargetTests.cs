using System.Text;
using KeyVaulting.Rotation.Targets.DotEnv;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.Rotation.Tests.Targets;

public sealed class DotEnvFileRotationTargetTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-dotenv-target-").FullName;

    private string EnvPath => Path.Combine(_directory, ".env");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string> Files => new()
    {
        { "plain", "OPENAI_API_KEY={old}\n" },
        { "comments, other variables, blank lines, no final newline", "# settings\n\nA=1\nOPENAI_API_KEY={old} # the key\nB='two words'\n# end" },
        { "CRLF, export, spaces around =", "A=1\r\nexport OPENAI_API_KEY = {old}\r\nB=2\r\n" },
        { "double quotes and a multi-line value before it", "PEM=\"line1\nline2\"\nOPENAI_API_KEY=\"{old}\"\nC=3\n" },
        { "single quotes", "OPENAI_API_KEY='{old}'\n" },
        { "two assignments: the last one is replaced", "OPENAI_API_KEY=sk-proj-first-unused\nOPENAI_API_KEY={old}\n" },
        { "byte order mark and non-ASCII comment", "\uFEFF# clé de développement\nOPENAI_API_KEY={old}\n" },
        { "empty value", "OPENAI_API_KEY=\nA=1\n" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task TryPromoteAsync_FileSetsTheVariable_RewritesOnlyTheValueAndKeepsEveryOtherByte(string description, string template)
    {
        _ = description;
        var oldKey = TestKeys.Numbered(1);
        var newKey = TestKeys.Numbered(2);
        var before = template.Replace("{old}", oldKey, StringComparison.Ordinal);
        await File.WriteAllBytesAsync(EnvPath, Encoding.UTF8.GetBytes(before));
        var target = Target();

        (await PromoteAsync(target, newKey)).Should().BeTrue();

        var after = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(EnvPath));
        var expected = before.Contains(oldKey, StringComparison.Ordinal)
            ? before.Replace(oldKey, newKey, StringComparison.Ordinal)
            : before.Replace("OPENAI_API_KEY=\n", $"OPENAI_API_KEY={newKey}\n", StringComparison.Ordinal);
        after.Should().Be(expected, "only the value changes, byte for byte");
        Directory.GetFiles(_directory, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("the temporary file was renamed over the file");
        (await ReadWithCoreSourceAsync()).Should().Be(newKey, "the core package's .env source reads the new key");
    }

    [Fact]
    public async Task TryPromoteAsync_VariableMissing_AddsOneLineWithTheFilesLineBreak()
    {
        await File.WriteAllTextAsync(EnvPath, "A=1\r\nB=2");
        var newKey = TestKeys.Numbered(2);

        (await PromoteAsync(Target(), newKey)).Should().BeTrue();

        (await File.ReadAllTextAsync(EnvPath)).Should().Be($"A=1\r\nB=2\r\nOPENAI_API_KEY={newKey}\r\n");
    }

    [Fact]
    public async Task TryPromoteAsync_FileMissing_CreatesItReadableByItsOwnerOnly()
    {
        var newKey = TestKeys.Numbered(2);

        (await PromoteAsync(Target(), newKey)).Should().BeTrue();

        (await File.ReadAllTextAsync(EnvPath)).Should().Be($"OPENAI_API_KEY={newKey}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(EnvPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(EnvPath + ".rotation.json").Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task TryPromoteAsync_FileWithGroupReadPermission_KeepsItsPermissions()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await File.WriteAllTextAsync(EnvPath, $"OPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(EnvPath, mode);

        (await PromoteAsync(Target(), TestKeys.Numbered(2))).Should().BeTrue();

        File.GetUnixFileMode(EnvPath).Should().Be(mode);
    }

    [Fact]
    public async Task TryPromoteAsync_FileIsASymbolicLink_ReplacesTheFileItPointsToAndKeepsTheLink()
    {
        var real = Path.Combine(_directory, "real.env");
        await File.WriteAllTextAsync(real, $"OPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        File.CreateSymbolicLink(EnvPath, real);
        var newKey = TestKeys.Numbered(2);

        (await PromoteAsync(Target(), newKey)).Should().BeTrue();

        new FileInfo(EnvPath).LinkTarget.Should().Be(real);
        (await File.ReadAllTextAsync(real)).Should().Be($"OPENAI_API_KEY={newKey}\n");
    }

    [Fact]
    public async Task TryStageAsync_StoreChangedSinceRead_ReturnsFalseAndWritesNothing()
    {
        await File.WriteAllTextAsync(EnvPath, $"OPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        var target = Target();
        var stale = await target.ReadAsync(CancellationToken.None);
        (await target.TryStageAsync(stale, Claim("first"), CancellationToken.None)).Should().BeTrue();

        (await target.TryStageAsync(stale, Claim("second"), CancellationToken.None)).Should().BeFalse();

        (await target.ReadAsync(CancellationToken.None)).Pending!.RotationId.Should().Be("first");
    }

    [Fact]
    public async Task ReadAsync_KeyEditedByHand_ReportsItsIdUnknownAndTheFileTimeAsItsCreation()
    {
        await File.WriteAllTextAsync(EnvPath, $"OPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        File.SetLastWriteTimeUtc(EnvPath, Now.UtcDateTime);

        var state = await Target().ReadAsync(CancellationToken.None);

        state.Current!.KeyId.Should().BeNull();
        state.Current.CreatedAt.Should().Be(Now);
        state.Pending.Should().BeNull();
    }

    [Fact]
    public async Task ReadAsync_PromotionInterruptedAfterTheKeysLine_FinishesItFromTheStagedKeysCheck()
    {
        var oldKey = TestKeys.Numbered(1);
        var newKey = TestKeys.Numbered(2);
        await File.WriteAllTextAsync(EnvPath, $"OPENAI_API_KEY={oldKey}\n");
        var target = Target();
        var state = await target.ReadAsync(CancellationToken.None);
        var staged = Staged(newKey, "key_new");
        (await target.TryStageAsync(state, staged, CancellationToken.None)).Should().BeTrue();

        // The process wrote the key's line and died before the state file: simulated by editing the line alone.
        await File.WriteAllTextAsync(EnvPath, $"OPENAI_API_KEY={newKey}\n");
        var recovered = await target.ReadAsync(CancellationToken.None);

        recovered.Current!.KeyId.Should().Be("key_new");
        recovered.Pending.Should().BeNull();
        recovered.Previous.Should().NotBeNull("the replaced key still has to be revoked");
    }

    [Fact]
    public async Task StateFile_AfterStagingAKey_HoldsNoKey()
    {
        await File.WriteAllTextAsync(EnvPath, $"OPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        var target = Target();
        var newKey = TestKeys.Numbered(2);

        (await target.TryStageAsync(await target.ReadAsync(CancellationToken.None), Staged(newKey, "key_new"), CancellationToken.None)).Should().BeTrue();

        var state = await File.ReadAllTextAsync(EnvPath + ".rotation.json");
        state.Should().NotContain(newKey).And.NotContain(newKey[^12..]).And.Contain("key_new");
        (await target.ReadAsync(CancellationToken.None)).Pending!.Key.Should().BeNull("the staged value is kept only in the rotator's memory");
    }

    [Fact]
    public async Task TryPromoteAsync_MalformedLine_FailsNamingTheLineNotItsContent()
    {
        var secret = TestKeys.Numbered(7);
        await File.WriteAllTextAsync(EnvPath, $"A=1\nnot an assignment {secret}\nOPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        var target = Target();

        var act = () => target.ReadAsync(CancellationToken.None).AsTask();

        var failure = (await act.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        failure.Message.Should().Contain("line 2");
        failure.ShouldNotContainSecrets(secret);
    }

    [Fact]
    public void Constructor_InvalidVariableName_ThrowsWithoutRepeatingIt()
    {
        var mistake = "OPENAI_API_KEY=" + TestKeys.Numbered(3);
        var act = () => new DotEnvFileRotationTarget(new DotEnvFileKeySourceOptions { Path = EnvPath, Variable = mistake }, NullLogger.Instance);

        act.Should().Throw<ArgumentException>().Which.Message.Should().NotContain(TestKeys.Numbered(3));
    }

    private static OpenAIKeyRotationPending Claim(string id) => new() { RotationId = id, StartedAt = Now, ClaimedBy = "test" };

    private static OpenAIKeyRotationPending Staged(string value, string keyId) => new()
    {
        RotationId = "rotation",
        StartedAt = Now,
        ClaimedBy = "test",
        Key = new OpenAIKey(value, "test"),
        Record = new OpenAIKeyRecord { KeyId = keyId, CreatedAt = Now },
    };

    private static async Task<bool> PromoteAsync(DotEnvFileRotationTarget target, string value)
    {
        var state = await target.ReadAsync(CancellationToken.None);
        return await target.TryPromoteAsync(state, Staged(value, "key_new"), Now, CancellationToken.None);
    }

    private DotEnvFileRotationTarget Target() => new(new DotEnvFileKeySourceOptions { Path = EnvPath }, NullLogger.Instance);

    private async Task<string> ReadWithCoreSourceAsync()
    {
        await using var services = new ServiceCollection()
            .AddOpenAIKeyProvider(o => o.LoadOnStartup = false).AddDotEnvFile(EnvPath).Services.BuildServiceProvider();
        return (await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Value;
    }
}
