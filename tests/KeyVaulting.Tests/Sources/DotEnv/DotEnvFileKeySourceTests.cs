using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using KeyVaulting.Provider;
using KeyVaulting.Sources.DotEnv;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Sources.DotEnv;

public sealed partial class DotEnvFileKeySourceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _temp = new();
    private readonly FakeLogger<DotEnvFileKeySource> _logger = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Name_IsTypePathAndVariable()
    {
        CreateSource("config/.env", "MY_KEY").Name.Should().Be("DotEnvFile:config/.env:MY_KEY");
    }

    [Fact]
    public async Task FetchAsync_FileSetsTheVariable_ReturnsTheRawValue()
    {
        var key = TestKeys.Project('A');
        var path = _temp.WriteFile(".env", $"# dev settings\nOTHER=1\nexport OPENAI_API_KEY=\"{key}\" # project key\n");

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeTrue();
        result.Value.Should().Be(key);
        _logger.Collector.ShouldNotContainSecrets(key);
    }

    [Fact]
    public async Task FetchAsync_FileEditedBetweenFetches_ReturnsTheNewValue()
    {
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={TestKeys.Numbered(1)}\n");
        var source = CreateSource(path);
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Numbered(1));

        _temp.WriteFile(".env", $"OPENAI_API_KEY={TestKeys.Numbered(2)}\n");

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Numbered(2));
    }

    [Fact]
    public async Task FetchAsync_MissingFile_NotFoundNamingThePath()
    {
        var path = _temp.PathOf(".env");

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"the file {path} does not exist");
    }

    [Fact]
    public async Task FetchAsync_FileCreatedAfterAMiss_IsPickedUp()
    {
        var source = CreateSource(_temp.PathOf(".env"));
        (await source.FetchAsync(CancellationToken.None)).IsFound.Should().BeFalse();

        _temp.WriteFile(".env", $"OPENAI_API_KEY={TestKeys.Project()}");

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(TestKeys.Project());
    }

    [Fact]
    public async Task FetchAsync_VariableNotInTheFile_NotFoundNamingFileAndVariable()
    {
        var path = _temp.WriteFile(".env", "OTHER=1\n# OPENAI_API_KEY=commented-out\n");

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"{path} does not set OPENAI_API_KEY");
    }

    [Theory]
    [InlineData("OPENAI_API_KEY=\n")]
    [InlineData("A=1\nOPENAI_API_KEY=\"  \"\n")]
    [InlineData("A=1\nOPENAI_API_KEY='' # fill in\n")]
    public async Task FetchAsync_EmptyValue_NotFoundNamingTheLine(string content)
    {
        var path = _temp.WriteFile(".env", content);
        var line = content.StartsWith("A=", StringComparison.Ordinal) ? 2 : 1;

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"{path} line {line} sets OPENAI_API_KEY to an empty value");
    }

    [Fact]
    public async Task FetchAsync_EmptyFile_NotFound()
    {
        var path = _temp.WriteFile(".env", string.Empty);

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().StartWith($"{path} is empty or is not a regular file");
    }

    [Fact]
    public async Task FetchAsync_Directory_NotFoundSayingItIsADirectory()
    {
        var path = Directory.CreateDirectory(_temp.PathOf(".env")).FullName;

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"{path} is a directory, not a .env file");
    }

    [Fact]
    public async Task FetchAsync_NamedPipe_NotFoundWithoutOpeningIt()
    {
        // Opening a FIFO for reading blocks until a writer appears: the source must never open it.
        var path = _temp.PathOf(".env");
        await MakeFifoAsync(path);

        var fetch = Task.Run(() => CreateSource(path).FetchAsync(CancellationToken.None).AsTask());
        try
        {
            var result = await fetch.WaitAsync(Bound);

            result.IsFound.Should().BeFalse();
            result.Reason.Should().Be($"{path} is empty or is not a regular file (a named pipe, device or socket); it was not opened");
        }
        finally
        {
            if (!fetch.IsCompleted)
            {
                // Release a reader stuck in open() so that the test process can end.
                await using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [Fact]
    public async Task FetchAsync_SymbolicLinkToANamedPipe_NotFoundWithoutOpeningIt()
    {
        // A link reports the length of its own text, not of the pipe: the target must be measured.
        var pipe = _temp.PathOf("pipe");
        await MakeFifoAsync(pipe);
        var path = _temp.PathOf(".env");
        File.CreateSymbolicLink(path, pipe);

        var result = await Task.Run(() => CreateSource(path).FetchAsync(CancellationToken.None).AsTask()).WaitAsync(Bound);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().StartWith($"{path} is empty or is not a regular file");
    }

    [Fact]
    public async Task FetchAsync_SymbolicLinkToAFile_ReadsTheFile()
    {
        var key = TestKeys.Project('L');
        var target = _temp.WriteFile("shared.env", $"OPENAI_API_KEY={key}\n");
        var path = _temp.PathOf(".env");
        File.CreateSymbolicLink(path, target);

        (await CreateSource(path).FetchAsync(CancellationToken.None)).Value.Should().Be(key);
    }

    [Fact]
    public async Task FetchAsync_DanglingSymbolicLink_NotFoundNamingTheTarget()
    {
        var target = _temp.PathOf("gone.env");
        var path = _temp.PathOf(".env");
        File.CreateSymbolicLink(path, target);

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"{path} is a symbolic link to {target}, which does not exist");
    }

    [Theory]
    [InlineData("/dev/null")]
    [InlineData("/dev/zero")]
    public async Task FetchAsync_CharacterDevice_NotFoundWithoutReadingIt(string device)
    {
        // /dev/zero would otherwise be an endless stream of NUL bytes.
        var result = await Task.Run(() => CreateSource(device).FetchAsync(CancellationToken.None).AsTask()).WaitAsync(Bound);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().StartWith($"{device} is empty or is not a regular file");
    }

    [UnsupportedOSPlatform("windows")] // Unix permissions
    [Fact]
    public async Task FetchAsync_NoReadPermission_FailsClearlyOrReadsAsRoot()
    {
        var key = TestKeys.Project('P');
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={key}\n");
        File.SetUnixFileMode(path, UnixFileMode.None);
        var readableAnyway = CanOpen(path); // root (CAP_DAC_OVERRIDE) reads a mode-000 file

        var fetch = async () => await CreateSource(path).FetchAsync(CancellationToken.None);

        if (readableAnyway)
        {
            (await fetch()).Value.Should().Be(key);
        }
        else
        {
            var error = (await fetch.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
            error.IsTransient.Should().BeFalse();
            error.SourceName.Should().Be($"DotEnvFile:{path}:OPENAI_API_KEY");
            error.Message.Should().Be($"{path} cannot be read: permission denied. Give the application's user read access, and only that user (chmod 600 {path}).");
        }

        _logger.Collector.GetSnapshot().Should().NotContain(r => r.Level == LogLevel.Warning, "mode 000 is not readable by group or others");
    }

    [UnsupportedOSPlatform("windows")] // Unix permissions
    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead, "440")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "604")]
    public async Task FetchAsync_ReadableByGroupOrOthers_WarnsOnceLikeSsh(UnixFileMode mode, string octal)
    {
        var key = TestKeys.Project('W');
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={key}\n");
        File.SetUnixFileMode(path, mode);
        var source = CreateSource(path);

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(key);
        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(key);

        var warning = _logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning).Which;
        warning.Id.Id.Should().Be(12);
        warning.Message.Should().Be($"The .env file {path} is readable by group or others (mode {octal}). It holds a secret: restrict it with 'chmod 600 {path}'.");
        _logger.Collector.ShouldNotContainSecrets(key);
    }

    [UnsupportedOSPlatform("windows")] // Unix permissions
    [Fact]
    public async Task FetchAsync_PermissionsFixedThenOpenedAgain_WarnsAgain()
    {
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={TestKeys.Project()}\n");
        var source = CreateSource(path);
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead;

        File.SetUnixFileMode(path, open);
        await source.FetchAsync(CancellationToken.None);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await source.FetchAsync(CancellationToken.None);
        File.SetUnixFileMode(path, open);
        await source.FetchAsync(CancellationToken.None);

        _logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Warning).Should().Be(2);
    }

    [Fact]
    public async Task FetchAsync_PrivateFile_NoWarning()
    {
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={TestKeys.Project()}\n");

        await CreateSource(path).FetchAsync(CancellationToken.None);

        _logger.Collector.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [Theory]
    [InlineData("A=1\nOPENAI_API_KEY='{0}\n", 2, "the single-quoted value that starts on this line has no closing '")]
    [InlineData("A=1\n\n{0}\n", 3, "expected NAME=VALUE but the line has no '='")]
    [InlineData("OPENAI_API_KEY=\"{0}\"{0}\n", 1, "unexpected text after the closing quote; only a comment (#) may follow a quoted value")]
    [InlineData("OPENAI_API_KEY={0}\nset OTHER={0}\n", 2, "expected '=' after the variable name; a name cannot contain spaces, and only the 'export' prefix is supported")]
    public async Task FetchAsync_MalformedLine_FailsNamingFileAndLineNeverItsContent(string template, int line, string problem)
    {
        var key = TestKeys.Project('M');
        var path = _temp.WriteFile(".env", string.Format(System.Globalization.CultureInfo.InvariantCulture, template, key));

        var fetch = async () => await CreateSource(path).FetchAsync(CancellationToken.None);

        var error = (await fetch.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        error.IsTransient.Should().BeFalse();
        error.SourceName.Should().Be($"DotEnvFile:{path}:OPENAI_API_KEY");
        error.Message.Should().Be($"{path} line {line}: {problem}. Fix that line; it is not shown because it may hold a secret.");
        error.ShouldNotContainSecrets(key, "MMMMMMMM");
        _logger.Collector.ShouldNotContainSecrets(key, "MMMMMMMM");
    }

    [Fact]
    public async Task FetchAsync_InvalidUtf8_FailsNamingTheLine()
    {
        var path = _temp.WriteBytes(".env", [.. "A=1\nOPENAI_API_KEY=caf"u8, 0xE9, (byte)'\n']);

        var fetch = async () => await CreateSource(path).FetchAsync(CancellationToken.None);

        (await fetch.Should().ThrowAsync<OpenAIKeySourceException>()).Which.Message
            .Should().StartWith($"{path} line 2: the line is not valid UTF-8; save the file as UTF-8.");
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    public async Task FetchAsync_WindowsPowerShellFile_ReadsTheKey(string encodingName)
    {
        // Windows PowerShell 5: 'echo OPENAI_API_KEY=… > .env' and Out-File write UTF-16 with a byte order mark and CRLF.
        var key = TestKeys.Project('U');
        var encoding = Encoding.GetEncoding(encodingName);
        var path = _temp.WriteBytes(".env", [.. encoding.GetPreamble(), .. encoding.GetBytes($"OPENAI_API_KEY={key}\r\n")]);

        var result = await CreateSource(path).FetchAsync(CancellationToken.None);

        result.Value.Should().Be(key);
    }

    [Fact]
    public async Task FetchAsync_FileOverOneMebibyte_FailsNamingTheLimitAndTheFix()
    {
        var key = TestKeys.Project('B');
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={key}\n# {new string('x', 1024 * 1024)}\n");

        var fetch = async () => await CreateSource(path).FetchAsync(CancellationToken.None);

        var error = (await fetch.Should().ThrowAsync<OpenAIKeySourceException>()).Which;
        error.IsTransient.Should().BeFalse();
        error.SourceName.Should().Be($"DotEnvFile:{path}:OPENAI_API_KEY");
        error.Message.Should().Be($"{path}: the file is larger than 1 MiB, the most KeyVaulting reads from a .env file. A .env file holds a few settings (an OpenAI key is a few hundred bytes): check that the path names the right file, and keep only settings in it.");
        error.ShouldNotContainSecrets(key);
    }

    [Fact]
    public async Task FetchAsync_FileOfExactlyOneMebibyte_ReadsTheKey()
    {
        var key = TestKeys.Project('E');
        var last = $"OPENAI_API_KEY={key}\n";
        var path = _temp.WriteFile(".env", $"# {new string('x', DotEnvFileReader.MaxFileBytes - 3 - last.Length)}\n{last}");
        new FileInfo(path).Length.Should().Be(1024 * 1024);

        (await CreateSource(path).FetchAsync(CancellationToken.None)).Value.Should().Be(key);
    }

    [Fact]
    public async Task FetchAsync_Cancelled_Throws()
    {
        var path = _temp.WriteFile(".env", "OPENAI_API_KEY=x\n");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var fetch = async () => await CreateSource(path).FetchAsync(cancellation.Token);

        await fetch.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task FetchAsync_RelativePath_SearchesFromTheCurrentDirectoryUpwards()
    {
        // The current directory is the test's bin folder, inside the repository: no file of this name exists above it.
        var name = $"kv-{Guid.NewGuid():N}.env";

        var result = await CreateSource(name).FetchAsync(CancellationToken.None);

        result.IsFound.Should().BeFalse();
        result.Reason.Should().Be($"no file {name} in {Directory.GetCurrentDirectory()} or any parent directory");
    }

    [Theory]
    [InlineData("")]
    [InlineData("OPENAI API KEY")]
    [InlineData("1KEY")]
    [InlineData("KEY=VALUE")]
    public void Constructor_InvalidVariable_ThrowsWithoutRepeatingIt(string variable)
    {
        var act = () => CreateSource(".env", variable);

        var error = act.Should().Throw<ArgumentException>().Which;
        error.Message.Should().StartWith("DotEnvFileKeySourceOptions.Variable is not a valid .env variable name: a name starts with a letter or '_'");
        if (variable.Length > 0)
        {
            error.Message.Should().NotContain(variable);
        }
    }

    [Fact]
    public async Task AddDotEnvFile_FileEditedThenRefreshAsync_ServesTheNewKeyAndFiresTheChangeTokenOnce()
    {
        var (first, second) = (TestKeys.Numbered(1), TestKeys.Numbered(2));
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={first}\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = BuildProvider(path, time);
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        (await provider.GetKeyAsync()).Value.Should().Be(first);
        var changes = 0;
        using var registration = ChangeToken.OnChange(provider.GetChangeToken, () => Interlocked.Increment(ref changes));

        _temp.WriteFile(".env", $"# rotated\nOPENAI_API_KEY='{second}'\n");
        time.Advance(TimeSpan.FromSeconds(6)); // past MinimumRefreshInterval (5 s)
        var refreshed = await provider.RefreshAsync();
        time.Advance(TimeSpan.FromSeconds(6));
        var again = await provider.RefreshAsync();

        refreshed.Value.Should().Be(second);
        again.Value.Should().Be(second);
        (await provider.GetKeyAsync()).Value.Should().Be(second);
        changes.Should().Be(1);
        services.GetFakeLogCollector().ShouldNotContainSecrets(first, second);
    }

    [Fact]
    public async Task AddDotEnvFile_FileEditedThenRefreshIntervalPasses_ServesTheNewKey()
    {
        var (first, second) = (TestKeys.Numbered(1), TestKeys.Numbered(2));
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={first}\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = BuildProvider(path, time);
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        (await provider.GetKeyAsync()).Value.Should().Be(first);
        var rotated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = provider.GetChangeToken().RegisterChangeCallback(_ => rotated.TrySetResult(), null);

        _temp.WriteFile(".env", $"OPENAI_API_KEY=\"{second}\"\n");
        time.Advance(TimeSpan.FromMinutes(1.2)); // RefreshInterval 1 minute, jittered ±10%
        await rotated.Task.WaitAsync(Bound);

        (await provider.GetKeyAsync()).Value.Should().Be(second);
        services.GetFakeLogCollector().ShouldNotContainSecrets(first, second);
    }

    [Fact]
    public async Task AddDotEnvFile_FileBrokenByAnEdit_KeepsTheLastKnownGoodKeyAndNeverLogsTheContent()
    {
        var (good, pasted) = (TestKeys.Numbered(1), TestKeys.Numbered(2));
        var path = _temp.WriteFile(".env", $"OPENAI_API_KEY={good}\n");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = BuildProvider(path, time);
        var provider = services.GetRequiredService<IOpenAIKeyProvider>();
        (await provider.GetKeyAsync()).Value.Should().Be(good);

        _temp.WriteFile(".env", $"OPENAI_API_KEY={good}\n{pasted}\n"); // a key pasted on a line of its own
        time.Advance(TimeSpan.FromSeconds(6));
        var served = await provider.RefreshAsync();

        served.Value.Should().Be(good);
        var status = ((OpenAIKeyProvider)provider).GetStatus();
        status.LastError.Should().Be($"{path} line 2: expected NAME=VALUE but the line has no '='. Fix that line; it is not shown because it may hold a secret.");
        var logs = services.GetFakeLogCollector();
        logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains($"{path} line 2", StringComparison.Ordinal));
        logs.ShouldNotContainSecrets(good, pasted);
    }

    [Fact]
    public async Task AddOpenAIKeyProvider_ConfigurationSelectsDotEnvFile_ReadsTheFile()
    {
        var key = TestKeys.Project('C');
        var path = _temp.WriteFile("app.env", $"MY_KEY={key}\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyVaulting:Sources:Dev:Type"] = "DotEnvFile",
            ["KeyVaulting:Sources:Dev:Path"] = path,
            ["KeyVaulting:Sources:Dev:Variable"] = "MY_KEY",
            ["KeyVaulting:Sources:Dev:SearchParentDirectories"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        await using var provider = services.BuildServiceProvider();

        var loaded = await provider.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        loaded.Value.Should().Be(key);
        loaded.Source.Should().Be($"DotEnvFile:{path}:MY_KEY");
    }

    private DotEnvFileKeySource CreateSource(string path, string variable = "OPENAI_API_KEY")
        => new(new DotEnvFileKeySourceOptions { Path = path, Variable = variable }, _logger);

    private static ServiceProvider BuildProvider(string path, FakeTimeProvider time, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = true);
        services.AddOpenAIKeyProvider(o => o.RefreshInterval = TimeSpan.FromMinutes(1)).AddDotEnvFile(path);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static async Task MakeFifoAsync(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        await mkfifo.WaitForExitAsync().WaitAsync(Bound);
        mkfifo.ExitCode.Should().Be(0);
    }

    private static bool CanOpen(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
