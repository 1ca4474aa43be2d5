using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>
/// Runs the built console sample as a real process (<c>dotnet KeyVaulting.Samples.Console.dll …</c>) with an
/// environment the test sets explicitly: nothing of the test's own environment (no <c>OPENAI_API_KEY</c>, no cloud
/// credentials) leaks into it. Its temporary folder, home and working directory are one fresh folder.
/// </summary>
internal sealed class ConsoleSampleProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public ConsoleSampleProcess()
    {
        Folder = Directory.CreateTempSubdirectory("keyvaulting-samples-tests-").FullName;
        _environment["TMPDIR"] = Folder;
        _environment["TMP"] = Folder;
        _environment["TEMP"] = Folder;
        _environment["HOME"] = Folder;
        _environment["USERPROFILE"] = Folder;
        _environment["DOTNET_EnableDiagnostics"] = "0"; // no diagnostics sockets left in the temporary folder
        _environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable("SystemRoot") is { } systemRoot)
        {
            _environment["SystemRoot"] = systemRoot; // Windows networking needs it, even on 127.0.0.1
        }
    }

    /// <summary>Gets the child's temporary folder, home and working directory.</summary>
    public string Folder { get; }

    /// <summary>Sets a variable in the child's environment.</summary>
    public void SetEnvironment(string name, string value) => _environment[name] = value;

    public async Task<ConsoleSampleRun> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotNetHost)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KeyVaulting.Samples.Console.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The console sample did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The console sample did not exit within {Timeout}. Output so far:\n{await output}\n{await error}");
        }

        return new ConsoleSampleRun(process.ExitCode, await output, await error);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>Gets the <c>dotnet</c> host of the runtime running the tests: <c>{root}/shared/Microsoft.NETCore.App/{version}/</c> is three levels below it.</summary>
    private static string DotNetHost
    {
        get
        {
            var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
            var beside = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", name));
            if (File.Exists(beside))
            {
                return beside;
            }

            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { } host && File.Exists(host) ? host : name;
        }
    }
}

/// <summary>What a run of the console sample printed and how it exited.</summary>
internal sealed record ConsoleSampleRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
