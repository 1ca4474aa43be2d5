using System.Text;
using KeyVaulting.Rotation.Targets.DotEnv;

namespace KeyVaulting.Tool.Internal.Set;

/// <summary>
/// Writes a key into a <c>.env</c> file as the rotation package's <c>.env</c> target does: only the value of the
/// variable's last assignment changes (its quotes kept), or one line is added; every other byte stays; the new content
/// goes to a temporary file in the same folder, renamed over the file, so a reader never sees half a file; the file's
/// permissions are kept (a new file is created owner-only); a symbolic link is followed and kept.
/// </summary>
internal static class DotEnvKeyWriter
{
    /// <summary>Writes <paramref name="key"/> as the value of <paramref name="variable"/> in <paramref name="path"/>.</summary>
    /// <returns>The file written (the link's target for a link), whether it existed, and the fingerprint of the value replaced.</returns>
    /// <exception cref="ToolFailureException">The file is not valid .env syntax, the key cannot be written unquoted, or the file cannot be replaced.</exception>
    public static (string File, bool Created, string? Replaced) Write(string path, string variable, string key)
    {
        if (key.Any(c => c <= ' ' || c > '~' || c is '"' or '\'' or '`' or '\\' or '#' or '$'))
        {
            throw new ToolFailureException("The key has characters a .env value cannot hold unquoted (space, quote, '#', '$', '\\' or non-ASCII); it was not written. Check what was pasted.");
        }

        var target = File.Exists(path) && new FileInfo(path).LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is FileInfo resolved
            ? resolved.FullName
            : path;
        var exists = File.Exists(target);
        var content = exists ? File.ReadAllBytes(target) : [];

        DotEnvAssignment? assignment;
        try
        {
            assignment = DotEnvAssignment.FindLast(content, variable);
        }
        catch (FormatException ex)
        {
            throw new ToolFailureException($"{target} is not a valid .env file ({ex.Message}); it was not changed. Fix that line (it is not shown: it may hold a secret).");
        }

        byte[] rewritten;
        string? replaced = null;
        var bytes = Encoding.ASCII.GetBytes(key);
        if (assignment is { } found)
        {
            var old = Encoding.UTF8.GetString(content, found.ValueStart, found.ValueEnd - found.ValueStart).Trim('"', '\'', '`');
            replaced = old.Length == 0 ? null : OpenAIKeyFingerprint(old);
            var quote = found.Quote == 0 ? [] : new[] { found.Quote };
            rewritten = [.. content.AsSpan(0, found.ValueStart), .. quote, .. bytes, .. quote, .. content.AsSpan(found.ValueEnd)];
        }
        else
        {
            var newline = content.AsSpan().IndexOf("\r\n"u8) >= 0 ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
            var separator = content.Length > 0 && content[^1] is not ((byte)'\n' or (byte)'\r') ? newline : [];
            rewritten = [.. content, .. separator, .. Encoding.ASCII.GetBytes(variable + "="), .. bytes, .. newline];
        }

        ReplaceAtomically(target, rewritten);
        return (target, !exists, replaced);
    }

    private static string OpenAIKeyFingerprint(string value) => KeyVaulting.KeyShapes.OpenAIKeyShapes.Fingerprint(value);

    private static void ReplaceAtomically(string path, byte[] content)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var mode = !OperatingSystem.IsWindows() && File.Exists(path) ? File.GetUnixFileMode(path) : ownerOnly;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = ownerOnly;
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
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // A leftover temporary file holds at most what the file itself holds, and is owner-only.
            }

            throw new ToolFailureException($"{path} could not be replaced ({ex.GetType().Name}); it was not changed. Check that you may write to {directory}.");
        }
    }
}
