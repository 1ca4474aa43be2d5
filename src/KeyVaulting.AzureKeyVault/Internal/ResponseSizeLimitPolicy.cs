using Azure.Core;
using Azure.Core.Pipeline;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>
/// Reads at most <see cref="MaxResponseBytes"/> of an answer. The Azure SDK buffers a whole answer in memory, whatever
/// its size (a misrouted VaultUri, a proxy's download); this policy sits next to the transport, before the SDK
/// buffers, and stops the read with <see cref="ResponseTooLargeException"/> once the answer outgrows any Key Vault
/// answer (a secret value is at most 25 KB).
/// </summary>
internal sealed class ResponseSizeLimitPolicy : HttpPipelinePolicy
{
    public const int MaxResponseBytes = 256 * 1024;

    public static ResponseSizeLimitPolicy Shared { get; } = new();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        Limit(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        Limit(message);
    }

    private static void Limit(HttpMessage message)
    {
        if (!message.HasResponse || message.Response.ContentStream is not { } content)
        {
            return;
        }

        if (message.Response.Headers.ContentLength > MaxResponseBytes)
        {
            content.Dispose();
            throw new ResponseTooLargeException();
        }

        message.Response.ContentStream = new CappedStream(content);
    }

    /// <summary>A read-only view of the answer that throws once more than <see cref="MaxResponseBytes"/> were read.</summary>
    private sealed class CappedStream(Stream inner) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _read += read;
            return _read > MaxResponseBytes ? throw new ResponseTooLargeException() : read;
        }
    }
}
