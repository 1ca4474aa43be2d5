using System.Text;
using KeyVaulting.Rotation.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Rotation.Targets.DotEnv;

/// <summary>
/// The rotation target of a <c>.env</c> file (development): the key's line is rewritten in place by an atomic replace
/// (a temporary file in the same folder, then a rename), every other byte and the file's permissions kept; the
/// rotation's state (ids and times, no key) is kept beside it in <c>{file}.rotation.json</c>. Writes on this machine
/// are serialized by a lock file, which is the conditional write that lets one of several local rotators win.
/// </summary>
/// <remarks>
/// The staged key is not written anywhere (the file is not a place for a second secret): a rotator that restarts
/// between staging and promoting revokes it and mints another.
/// </remarks>
internal sealed partial class DotEnvFileRotationTarget : IOpenAIKeyRotationTarget
{
    public const string TypeName = "DotEnvFile";

    private const int LockAttempts = 200;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly string _path;
    private readonly string _variable;
    private readonly bool _searchParentDirectories;
    private readonly ILogger _logger;

    public DotEnvFileRotationTarget(DotEnvFileKeySourceOptions options, ILogger logger)
    {
        Throw.IfNull(options);
        Throw.IfNullOrWhiteSpace(options.Path, $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Path)}");
        if (!IsValidName(options.Variable))
        {
            // The configured name is not repeated: a confused user may have put the key itself there.
            throw new ArgumentException($"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Variable)} is not a valid .env variable name: a name starts with a letter or '_' and has only letters, digits, '_', '.' and '-'.", nameof(options));
        }

        _path = options.Path;
        _variable = options.Variable;
        _searchParentDirectories = options.SearchParentDirectories;
        _logger = logger;
        Name = $"{TypeName}:{_path}:{_variable}";
    }

    public string Name { get; }

    public static bool IsValidName(string? name)
        => !string.IsNullOrEmpty(name)
           && (char.IsAsciiLetter(name[0]) || name[0] == '_')
           && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    public ValueTask<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Snapshot.Read(this).State);
    }

    public ValueTask<bool> TryStageAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, CancellationToken cancellationToken)
        => WriteAsync(expected, snapshot => (snapshot.WithPending(Entry(pending, pending.Key)), null), cancellationToken);

    public ValueTask<bool> TryPromoteAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, DateTimeOffset promotedAt, CancellationToken cancellationToken)
    {
        var key = pending.Key ?? throw new ArgumentException("The pending key to promote has no value.", nameof(pending));
        return WriteAsync(
            expected,
            snapshot => (
                new DotEnvRotationRecord
                {
                    Counter = snapshot.Record.Counter + 1,
                    Current = new DotEnvRotationRecord.Entry { Record = pending.Record ?? new OpenAIKeyRecord(), ValueCheck = DotEnvRotationRecord.Check(key.Value) },
                    Previous = snapshot.CurrentEntry,
                    PreviousSupersededAt = promotedAt,
                },
                key.Value),
            cancellationToken);
    }

    public ValueTask<bool> TryDiscardAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => WriteAsync(expected, snapshot => (snapshot.WithPending(null), null), cancellationToken);

    public ValueTask<bool> TryCompleteAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => WriteAsync(
            expected,
            snapshot => (new DotEnvRotationRecord { Counter = snapshot.Record.Counter + 1, Current = snapshot.CurrentEntry, Pending = snapshot.Record.Pending }, null),
            cancellationToken);

    private static DotEnvRotationRecord.Entry Entry(OpenAIKeyRotationPending pending, OpenAIKey? key) => new()
    {
        Record = pending.Record ?? new OpenAIKeyRecord(),
        HasKey = pending.Record is not null,
        ValueCheck = key is null ? null : DotEnvRotationRecord.Check(key.Value),
        RotationId = pending.RotationId,
        StartedAt = pending.StartedAt,
        ClaimedBy = pending.ClaimedBy,
    };

    private async ValueTask<bool> WriteAsync(OpenAIKeyRotationState expected, Func<Snapshot, (DotEnvRotationRecord Record, string? NewValue)> change, CancellationToken cancellationToken)
    {
        var located = Locate();

        // Rotators in this process are serialized by a semaphore per file; those of other processes by the lock file.
        var gate = Gates.GetOrAdd(located.StatePath, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var fileLock = await AcquireLockAsync(located.StatePath + ".lock", cancellationToken).ConfigureAwait(false);
            if (fileLock is null)
            {
                return false; // another rotator on this machine is writing: it got there first
            }

            return Write(located, expected, change);
        }
        finally
        {
            gate.Release();
        }
    }

    private bool Write((string ReadPath, string WritePath, string StatePath) located, OpenAIKeyRotationState expected, Func<Snapshot, (DotEnvRotationRecord Record, string? NewValue)> change)
    {
        var snapshot = Snapshot.Read(this);
        if (!string.Equals(snapshot.State.Version, expected.Version, StringComparison.Ordinal))
        {
            return false;
        }

        var (record, newValue) = change(snapshot);
        if (newValue is not null)
        {
            // The key's line first: it is what readers see. A crash before the state file is written is recognised
            // on the next read (the file's key matches the staged key's check value) and finished then.
            var content = snapshot.Content ?? [];
            var rewritten = Rewrite(content, newValue, out var description);
            ReplaceAtomically(located.WritePath, rewritten, defaultMode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Log.DotEnvRewritten(_logger, Name, located.WritePath, description);
        }

        ReplaceAtomically(located.StatePath, WithCounter(record, snapshot.Record.Counter + 1).ToJson(), defaultMode: UnixFileMode.UserRead | UnixFileMode.UserWrite, forceDefaultMode: true);
        return true;
    }

    private static DotEnvRotationRecord WithCounter(DotEnvRotationRecord record, long counter) => new()
    {
        Counter = counter,
        Current = record.Current,
        Pending = record.Pending,
        Previous = record.Previous,
        PreviousSupersededAt = record.PreviousSupersededAt,
    };

    private byte[] Rewrite(byte[] content, string value, out string change)
    {
        if (value.Any(c => c <= ' ' || c > '~' || c is '"' or '\'' or '`' or '\\' or '#' or '$'))
        {
            throw new OpenAIKeySourceException(Name, "The new key has characters that a .env value cannot hold unquoted; it was not written.", isTransient: false);
        }

        var bytes = Encoding.ASCII.GetBytes(value);
        DotEnvAssignment? assignment;
        try
        {
            assignment = DotEnvAssignment.FindLast(content, _variable);
        }
        catch (FormatException ex)
        {
            throw new OpenAIKeySourceException(Name, $"The .env file cannot be rewritten: {ex.Message}. Fix that line; it is not shown because it may hold a secret.", isTransient: false);
        }

        if (assignment is { } found)
        {
            var quote = found.Quote == 0 ? [] : new[] { found.Quote };
            change = "replaced the value";
            return [.. content.AsSpan(0, found.ValueStart), .. quote, .. bytes, .. quote, .. content.AsSpan(found.ValueEnd)];
        }

        // No assignment yet: one line is added at the end, with the file's own line break.
        var newline = content.AsSpan().IndexOf("\r\n"u8) >= 0 ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
        var separator = content.Length > 0 && content[^1] is not ((byte)'\n' or (byte)'\r') ? newline : [];
        change = "added the variable";
        return [.. content, .. separator, .. Encoding.ASCII.GetBytes(_variable + "="), .. bytes, .. newline];
    }

    private void ReplaceAtomically(string path, byte[] content, UnixFileMode defaultMode, bool forceDefaultMode = false)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var mode = !forceDefaultMode && !OperatingSystem.IsWindows() && File.Exists(path) ? File.GetUnixFileMode(path) : defaultMode;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, mode);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new OpenAIKeySourceException(Name, $"{path} could not be replaced: {ex.GetType().Name}. Give the application's user write access to {directory}.", isTransient: ex is IOException);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file holds at most what the file itself holds.
        }
    }

    private async Task<FileStream?> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < LockAttempts; attempt++)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                return new FileStream(path, options);
            }
            catch (IOException)
            {
                // Held by another writer for a few milliseconds: wait on the wall clock, not the application's.
                await Task.Delay(LockRetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (UnauthorizedAccessException)
            {
                throw new OpenAIKeySourceException(Name, $"{path} cannot be created: permission denied. Give the application's user write access to its folder.", isTransient: false);
            }
        }

        return null;
    }

    private (string ReadPath, string WritePath, string StatePath) Locate()
    {
        var start = Directory.GetCurrentDirectory();
        string? found = null;
        if (Path.IsPathRooted(_path) || !_searchParentDirectories)
        {
            found = Path.GetFullPath(_path, start);
        }
        else
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.GetFullPath(Path.Combine(directory.FullName, _path));
                if (File.Exists(candidate))
                {
                    found = candidate;
                    break;
                }
            }

            found ??= Path.GetFullPath(_path, start);
        }

        // A symbolic link is followed: the file it points to is replaced, and the link stays.
        var write = File.Exists(found) && new FileInfo(found).LinkTarget is not null && File.ResolveLinkTarget(found, returnFinalTarget: true) is FileInfo target
            ? target.FullName
            : found;
        return (found, write, write + ".rotation.json");
    }
}
