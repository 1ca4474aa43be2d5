using System.Buffers;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Reads at most a given number of bytes of an answer's body, and leaves the answer with a body its caller can still
/// read whole: the bytes read, then (when the body was longer) the rest of it, read by the caller as it comes.
/// </summary>
internal static class BoundedResponseBody
{
    /// <summary>
    /// Returns the whole body when it is at most <paramref name="maxBytes"/> long, else <see langword="null"/>; a body
    /// announced (by <c>Content-Length</c>) as longer is not read at all.
    /// </summary>
    public static async ValueTask<byte[]?> ReadAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength > maxBytes)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= maxBytes
                   && (read = await stream.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            var bytes = buffer.AsSpan(0, length).ToArray();
            if (length <= maxBytes)
            {
                // The whole body: the caller reads it from memory, as often as it likes, and the connection is free.
                response.Content = WithHeadersOf(content, new ByteArrayContent(bytes), copyLength: false);
                await stream.DisposeAsync().ConfigureAwait(false);
                content.Dispose();
                return bytes;
            }

            // Too long to be an OpenAI error: what was read goes back in front of the rest, unread.
            response.Content = WithHeadersOf(content, new StreamContent(new PrefixedStream(bytes, stream)), copyLength: true);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static HttpContent WithHeadersOf(HttpContent original, HttpContent replacement, bool copyLength)
    {
        foreach (var header in original.Headers.NonValidated)
        {
            if (!copyLength && string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return replacement;
    }
}
