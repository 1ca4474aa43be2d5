using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// A secret answer of <c>length</c> bytes (<c>{"value":"xxx…"}</c>) that <see cref="FakeKeyVault"/> streams in
/// 16 KiB chunks without Content-Length, never holding it whole, until the client stops reading.
/// </summary>
internal sealed class StreamedAnswer(long length)
{
    private const int ChunkBytes = 16 * 1024;

    public async Task WriteAsync(PipeWriter body, CancellationToken aborted)
    {
        try
        {
            var head = Encoding.UTF8.GetBytes("{\"value\":\"");
            var chunk = Encoding.UTF8.GetBytes(new string('x', ChunkBytes));
            var written = await WriteAsync(body, head, 0, aborted);
            while (written + ChunkBytes + 2 <= length)
            {
                written = await WriteAsync(body, chunk, written, aborted);
            }

            await WriteAsync(body, Encoding.UTF8.GetBytes("\"}"), written, aborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            // The client stopped reading and dropped the connection: what the tests expect.
        }
    }

    private static async Task<long> WriteAsync(PipeWriter body, byte[] bytes, long written, CancellationToken aborted)
    {
        var flushed = await body.WriteAsync(bytes, aborted);
        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            throw new OperationCanceledException("The client closed the connection.");
        }

        return written + bytes.Length;
    }
}
