using System.Text;
using Microsoft.AspNetCore.Connections;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// A secret answer of <see cref="Length"/> bytes (<c>{"value":"xxx…"}</c>) that <see cref="FakeKeyVault"/> streams in
/// 16 KiB chunks, counting what it could send: a client that buffers whole answers makes it send everything, a
/// client that stops reading makes it stop early (the connection dropped).
/// </summary>
internal sealed class StreamedAnswer(long length)
{
    private const int ChunkBytes = 16 * 1024;

    private readonly TaskCompletionSource<bool> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;

    public long Length => length;

    /// <summary>Gets how many bytes of the answer were written to the connection so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _written);

    /// <summary>Gets a task that completes with <see langword="true"/> once the whole answer was sent, <see langword="false"/> once the client dropped the connection.</summary>
    public Task<bool> Ended => _ended.Task;

    public async Task WriteAsync(Stream body, CancellationToken aborted)
    {
        try
        {
            var head = Encoding.UTF8.GetBytes("{\"value\":\"");
            var chunk = Encoding.UTF8.GetBytes(new string('x', ChunkBytes));
            await WriteAsync(body, head, aborted);
            while (BytesWritten + ChunkBytes + 2 <= length)
            {
                await WriteAsync(body, chunk, aborted);
            }

            await WriteAsync(body, Encoding.UTF8.GetBytes("\"}"), aborted);
            _ended.TrySetResult(true);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            _ended.TrySetResult(false);
        }
    }

    private async Task WriteAsync(Stream body, byte[] bytes, CancellationToken aborted)
    {
        await body.WriteAsync(bytes, aborted);
        await body.FlushAsync(aborted);
        Interlocked.Add(ref _written, bytes.Length);
    }
}
