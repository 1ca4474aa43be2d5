using System.Text;

namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>
/// Reads a small text file that holds a credential or a certificate (a Vault token, a <c>secret_id</c>, a
/// service-account JWT, a CA bundle) without ever blocking: a named pipe, a device or a socket reports a length of 0,
/// and opening a named pipe waits for a writer that may never come, so a file of length 0 is never opened (an empty
/// regular file holds nothing either); a file larger than the limit is not read. A symbolic link (Kubernetes mounts
/// the service-account token through one) is measured at its final target.
/// </summary>
internal static class BoundedFile
{
    /// <summary>The most read of a credential file: a token, a <c>secret_id</c> or a JWT is far smaller.</summary>
    public const int MaxCredentialBytes = 64 * 1024;

    /// <summary>The most read of a CA bundle: the largest public bundles are a few hundred KiB.</summary>
    public const int MaxCertificateBytes = 1024 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Reads the file's text, or says why not (naming <paramref name="description"/>, never the content).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file read.</param>
    /// <param name="description">The file in messages, for example <c>the file /run/secrets/secret-id</c>.</param>
    /// <param name="text">The text, when it could be read.</param>
    /// <param name="problem">Why it could not, for a message.</param>
    public static bool TryRead(string path, int maxBytes, string description, out string text, out string problem)
    {
        text = string.Empty;
        try
        {
            var file = new FileInfo(path);
            var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            if (!file.Exists || !target.Exists)
            {
                problem = $"{description} does not exist";
                return false;
            }

            if (target.Length == 0)
            {
                problem = $"{description} is empty or is not a regular file (a named pipe, device or socket); it was not opened";
                return false;
            }

            if (target.Length > maxBytes)
            {
                problem = $"{description} is larger than {maxBytes / 1024} KiB, which no such file is; it was not read";
                return false;
            }

            using var stream = new FileStream(target.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            var buffer = new byte[maxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            if (length > maxBytes)
            {
                problem = $"{description} grew larger than {maxBytes / 1024} KiB while being read; it was not used";
                return false;
            }

            var bytes = buffer.AsSpan(0, length);
            text = Utf8.GetString(bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes);
            Array.Clear(buffer);
            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = $"{description} does not exist";
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            problem = $"{description} cannot be read (permission denied); give the application's user read access, and only that user";
            return false;
        }
        catch (IOException ex)
        {
            problem = $"{description} cannot be read ({ex.GetType().Name})";
            return false;
        }
    }
}
