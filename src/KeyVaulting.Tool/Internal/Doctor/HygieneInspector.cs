using System.Globalization;
using KeyVaulting.KeyShapes;
using KeyVaulting.Tool.Internal.Git;

namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>
/// Checks the repository around the project the way a leak is found: every <c>.env*</c> file that holds a key is
/// git-ignored, untracked, absent from the history and readable by its owner only; no key-shaped string (the
/// analyzer's rules, src/Shared/KeyShapes) is in the working tree or in any commit.
/// </summary>
internal sealed class HygieneInspector(string projectDirectory, TimeSpan gitTimeout, bool scanHistory)
{
    /// <summary>Files larger than this are not searched: keys live in small text files.</summary>
    private const long MaxFileSize = 2 * 1024 * 1024;

    private static readonly HashSet<string> SkippedDirectories = new(StringComparer.OrdinalIgnoreCase) { ".git", "bin", "obj", "node_modules", ".vs", ".idea" };

    public async Task InspectAsync(DoctorReport report, Action<string> progress, CancellationToken cancellationToken)
    {
        var hygiene = new HygieneReport();
        report.Hygiene = hygiene;

        var git = new GitRunner(projectDirectory, gitTimeout);
        var top = await git.ReadAsync(["rev-parse", "--show-toplevel"], cancellationToken).ConfigureAwait(false);
        string root;
        if (top is null)
        {
            report.Add(Severity.Warning, "git-unavailable", "git is not installed or not on PATH: whether .env files are ignored and what the history holds was not checked.");
            root = projectDirectory;
        }
        else if (top.Value.Result.ExitCode != 0)
        {
            report.Add(Severity.Warning, "not-a-git-repository", $"{projectDirectory} is not in a git repository (git: {FirstLine(top.Value.Result.Error)}): the ignore and history checks were skipped.");
            root = projectDirectory;
        }
        else
        {
            root = Path.GetFullPath(top.Value.Output.Trim());
            hygiene.Repository = root;
        }

        var repo = hygiene.Repository is null ? null : new GitRunner(root, gitTimeout);

        progress("Looking for .env files");
        await CheckDotEnvFilesAsync(report, hygiene, root, repo, cancellationToken).ConfigureAwait(false);

        progress("Searching the working tree for keys");
        await ScanWorkingTreeAsync(report, hygiene, root, repo, cancellationToken).ConfigureAwait(false);

        if (repo is not null && scanHistory)
        {
            progress("Searching the git history for keys");
            await ScanHistoryAsync(report, hygiene, repo, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CheckDotEnvFilesAsync(DoctorReport report, HygieneReport hygiene, string root, GitRunner? repo, CancellationToken cancellationToken)
    {
        foreach (var file in EnumerateFiles(root).Where(f => Path.GetFileName(f).StartsWith(".env", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            var text = ReadText(file);
            if (text is null)
            {
                continue;
            }

            var fingerprints = KeysIn(text).Select(m => m.Fingerprint).Distinct(StringComparer.Ordinal).ToList();
            if (fingerprints.Count == 0)
            {
                continue;
            }

            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            var entry = new DotEnvFileReport { Path = relative, Fingerprints = fingerprints };
            hygiene.DotEnvFiles.Add(entry);
            var keys = string.Join(", ", fingerprints);

            if (repo is not null)
            {
                var ignored = await repo.RunAsync(["check-ignore", "-q", "--no-index", "--", relative], null, cancellationToken).ConfigureAwait(false);
                entry.Ignored = ignored?.ExitCode == 0;
                var tracked = await repo.RunAsync(["ls-files", "--error-unmatch", "--", relative], null, cancellationToken).ConfigureAwait(false);
                entry.Tracked = tracked?.ExitCode == 0;
                var history = await repo.ReadAsync(["log", "--all", "--format=%H", "--", relative], cancellationToken).ConfigureAwait(false);
                var commits = history?.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                entry.InHistorySince = commits is { Length: > 0 } ? commits[^1][..12] : null;

                if (entry.Tracked == true)
                {
                    report.Add(Severity.Error, "dotenv-tracked", $"{relative} (key {keys}) is tracked by git: every clone gets the key. Run 'git rm --cached {relative}', add it to .gitignore, and rotate the key.");
                }
                else if (entry.Ignored == false)
                {
                    report.Add(Severity.Error, "dotenv-not-ignored", $"{relative} (key {keys}) is not git-ignored: one 'git add .' commits the key. Add '{Path.GetFileName(relative)}' to .gitignore.");
                }

                if (entry.InHistorySince is { } since)
                {
                    report.Add(Severity.Error, "dotenv-in-history", $"{relative} is in the git history since commit {since}: whoever has a clone has the keys it held. Rotate them (keyvaulting rotate, or the OpenAI dashboard), then remove the file from the history (git filter-repo --path {relative} --invert-paths).");
                }
            }

            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(file);
                entry.Mode = Convert.ToString((int)mode & 0x1FF, 8);
                const UnixFileMode others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
                const UnixFileMode group = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
                entry.OwnerOnly = (mode & (others | group)) == 0;
                if ((mode & others) != 0)
                {
                    report.Add(Severity.Error, "dotenv-permissions", $"{relative} (key {keys}) is readable by every user of this machine (mode {entry.Mode}). Run 'chmod 600 {relative}'.");
                }
                else if ((mode & group) != 0)
                {
                    report.Add(Severity.Warning, "dotenv-permissions", $"{relative} (key {keys}) is readable by its group (mode {entry.Mode}). Run 'chmod 600 {relative}'.");
                }
            }
        }
    }

    private static async Task ScanWorkingTreeAsync(DoctorReport report, HygieneReport hygiene, string root, GitRunner? repo, CancellationToken cancellationToken)
    {
        IEnumerable<string> files;
        if (repo is not null)
        {
            // Tracked files and new files git would add; ignored ones (the .env files above) are not.
            var listed = await repo.ReadAsync(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], cancellationToken).ConfigureAwait(false);
            files = (listed?.Output ?? string.Empty).Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.TrimEnd('\n'))
                .Where(f => f.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .Select(f => Path.Combine(root, f));
        }
        else
        {
            files = EnumerateFiles(root).Where(f => !Path.GetFileName(f).StartsWith(".env", StringComparison.OrdinalIgnoreCase));
        }

        // A .env file that holds a key is reported above, with what to do about it.
        var reported = hygiene.DotEnvFiles.Select(f => Path.GetFullPath(Path.Combine(root, f.Path))).ToHashSet(StringComparer.Ordinal);
        foreach (var file in files.Where(f => !reported.Contains(Path.GetFullPath(f))).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!File.Exists(file) || ReadText(file) is not { } text)
            {
                continue;
            }

            hygiene.FilesScanned++;
            if (!OpenAIKeyShapes.MayContainKey(text))
            {
                continue;
            }

            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var match in KeysIn(lines[i]))
                {
                    hygiene.WorkingTree.Add(new KeyOccurrence(relative, i + 1, match.Fingerprint, KeyKinds.Of(match.Kind)));
                }
            }
        }

        foreach (var found in hygiene.WorkingTree)
        {
            report.Add(Severity.Error, "key-in-working-tree", $"{found.File}:{found.Line} holds a {KeyKinds.Describe(found.Kind)} ({found.Fingerprint}). Move it to a store (user secrets, a .env file git ignores, a vault) and rotate it if it was ever pushed.");
        }
    }

    private static async Task ScanHistoryAsync(DoctorReport report, HygieneReport hygiene, GitRunner repo, CancellationToken cancellationToken)
    {
        var scanner = new HistoryScanner();
        try
        {
            var result = await repo.RunAsync(
                ["log", "--all", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-renames", "--format=%H", "-G", "sk-", "--"],
                scanner.Accept,
                cancellationToken).ConfigureAwait(false);
            if (result is { ExitCode: not 0 } failed)
            {
                report.Add(Severity.Warning, "history-not-scanned", $"git log failed ({FirstLine(failed.Error)}): the history was not searched for keys.");
                return;
            }
        }
        catch (TimeoutException ex)
        {
            report.Add(Severity.Warning, "history-not-scanned", $"{ex.Message} The history was searched only in part; give more time with --git-timeout, or skip it with --no-history.");
        }

        hygiene.HistoryScanned = true;
        hygiene.History.AddRange(scanner.Occurrences);
        foreach (var found in scanner.Occurrences)
        {
            report.Add(Severity.Error, "key-in-history", $"Commit {found.Commit} added a {KeyKinds.Describe(found.Kind)} ({found.Fingerprint}) to {found.File}:{found.Line}. Whoever has a clone has it: revoke or rotate that key now, then rewrite the history if the repository is shared.");
        }
    }

    private static IEnumerable<OpenAIKeyMatch> KeysIn(string text)
        => OpenAIKeyShapes.MayContainKey(text) ? OpenAIKeyShapes.FindAll(text) : [];

    private static string? ReadText(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileSize)
            {
                return null;
            }

            var bytes = File.ReadAllBytes(file);
            return Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8000)) >= 0 ? null : System.Text.Encoding.UTF8.GetString(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> EnumerateFiles(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            string[] files, directories;
            try
            {
                files = Directory.GetFiles(directory);
                directories = Directory.GetDirectories(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var file in files)
            {
                yield return file;
            }

            foreach (var child in directories)
            {
                if (!SkippedDirectories.Contains(Path.GetFileName(child)) && (File.GetAttributes(child) & FileAttributes.ReparsePoint) == 0)
                {
                    pending.Push(child);
                }
            }
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "no message" : line;
    }
}
