using System.Diagnostics;
using System.Text;

namespace KeyVaulting.Tool.Internal.Git;

/// <summary>
/// Runs <c>git</c> in a directory with a time limit, without a terminal prompt, and streams its output line by line,
/// so that a long history is read without holding it in memory.
/// </summary>
internal sealed class GitRunner(string directory, TimeSpan timeout)
{
    /// <summary>Runs git and passes each line of its standard output to <paramref name="onLine"/>.</summary>
    /// <returns>The exit code and standard error, or <see langword="null"/> when git is not installed.</returns>
    /// <exception cref="TimeoutException">git did not finish within the time limit; it was stopped.</exception>
    public async Task<GitResult?> RunAsync(IReadOnlyList<string> arguments, Action<string>? onLine, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("core.quotepath=off");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_PAGER"] = "cat";
        start.Environment["LC_ALL"] = "C";

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        using (process)
        {
            process.StandardInput.Close();
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            var error = process.StandardError.ReadToEndAsync(bounded.Token);
            try
            {
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync(bounded.Token).ConfigureAwait(false)) is not null)
                {
                    onLine?.Invoke(line);
                }

                await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
                return new GitResult(process.ExitCode, await error.ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Stop(process);
                throw new TimeoutException($"git {arguments[0]} did not finish within {timeout.TotalSeconds:0} s (--git-timeout).");
            }
            catch (OperationCanceledException)
            {
                Stop(process);
                throw;
            }
        }
    }

    /// <summary>Runs git and returns its whole standard output.</summary>
    public async Task<(GitResult Result, string Output)?> ReadAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var result = await RunAsync(arguments, line => output.Append(line).Append('\n'), cancellationToken).ConfigureAwait(false);
        return result is null ? null : (result, output.ToString());
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }
    }
}

/// <summary>How git ended.</summary>
internal sealed record GitResult(int ExitCode, string Error);
