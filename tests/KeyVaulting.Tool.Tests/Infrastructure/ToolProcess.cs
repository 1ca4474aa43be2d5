using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace KeyVaulting.Tool.Tests.Infrastructure;

/// <summary>
/// Runs the built tool as a real process (<c>dotnet KeyVaulting.Tool.dll …</c>) with a clean environment (no
/// OPENAI_API_KEY, no environment name, HOME in a temporary folder) and a bound on its run time: a stuck run is killed
/// and fails with its command line.
/// </summary>
internal static class ToolProcess
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private static readonly string ToolPath = typeof(ToolProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "KeyVaultingToolPath").Value!;

    /// <summary>Variables of the test machine that would change what the tool reads.</summary>
    private static readonly string[] Cleared =
    [
        "OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE",
        "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_AUTHORITY_HOST", "AZURE_TOKEN_CREDENTIALS", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT",
        "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    ];

    public static async Task<ToolRun> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? standardInput, params string[] arguments)
    {
        File.Exists(ToolPath).Should().BeTrue("the tool is built before its tests ({0})", ToolPath);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in Cleared)
        {
            start.Environment.Remove(variable);
        }

        start.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "kvt-home-" + Environment.ProcessId);
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"keyvaulting {string.Join(' ', arguments)} did not finish within {Bound}.");
        }

        return new ToolRun(process.ExitCode, await output, await error);
    }
}

/// <summary>How a run of the tool ended.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Output);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts that neither output holds any of the keys.</summary>
    public void ShouldNotContainSecrets(params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Output.Should().NotContain(secret, "standard output never shows a key");
            Error.Should().NotContain(secret, "standard error never shows a key");
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
