using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// A store's local server speaking the store's real wire protocol on 127.0.0.1, which a test can make misbehave
/// (<see cref="StoreFault"/>). It holds one secret, named uniquely per test so that process-wide diagnostics
/// (activities) can be told apart, and generated sentinel secrets for every credential it accepts.
/// </summary>
public abstract class FakeStore : IAsyncDisposable
{
    /// <summary>The default size of the <see cref="StoreFault.HugeBody"/> answer's value.</summary>
    public const int HugeBodyBytes = 10 * 1024 * 1024;

    private const string HugeValueMarker = "HUGE-VALUE-GOES-HERE";

    private readonly List<Sentinel> _sentinels = [];
    private volatile TaskCompletionSource _hang = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile StoreFault _fault;
    private volatile StoreAbsence _absence;
    private StoreServer? _server;
    private int _requests;
    private int _secretReads;
    private int _abandoned;

    protected FakeStore(string? jsonField)
    {
        JsonField = jsonField;
        Key = Remember(Sentinel.Key());
        SecretText = Key.Value;
        Id = Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>Gets the store's name, as in test names: <c>AzureKeyVault</c>, <c>AwsSecretsManager</c>, <c>HashiCorpVault</c>.</summary>
    public abstract string StoreName { get; }

    /// <summary>Gets the provider's name of the source (<see cref="IOpenAIKeySource.Name"/>).</summary>
    public abstract string SourceName { get; }

    /// <summary>Gets the setting that names the JSON field holding the key (JsonField in every store).</summary>
    public abstract string JsonFieldSetting { get; }

    /// <summary>Gets the JSON field the source is configured to read, or <see langword="null"/> for the bare value.</summary>
    public string? JsonField { get; }

    /// <summary>Gets the key the store holds (changed by <see cref="Rotate"/>).</summary>
    public Sentinel Key { get; private set; }

    /// <summary>Gets or sets the secret's raw text as stored: the key, or the JSON object holding it.</summary>
    public string SecretText { get; set; }

    /// <summary>Gets every secret of this store: the key and the credentials that read it.</summary>
    public IReadOnlyList<Sentinel> Sentinels => _sentinels;

    /// <summary>Gets requests received, of any kind.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Gets reads of the secret itself (GetSecretValue, GET secret, KV read), answered or not.</summary>
    public int SecretReads => Volatile.Read(ref _secretReads);

    public StoreFault Fault => _fault;

    /// <summary>Gets or sets whether, and how, the secret is missing: reads of it get the store's own "not found".</summary>
    public StoreAbsence Absence
    {
        get => _absence;
        set => _absence = value;
    }

    /// <summary>Gets or sets the <c>Retry-After</c> of <see cref="StoreFault.TooManyRequests"/>, in seconds. Default: 30.</summary>
    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>Gets the hung requests that the client gave up (closed the connection) before they were answered.</summary>
    public int AbandonedRequests => Volatile.Read(ref _abandoned);

    /// <summary>Gets or sets the length of the secret value in a <see cref="StoreFault.HugeBody"/> answer. Default: <see cref="HugeBodyBytes"/>.</summary>
    public long HugeValueLength { get; set; } = HugeBodyBytes;

    /// <summary>
    /// Gets or sets an answer given to every read of the secret while set, for example an error that echoes the
    /// request's credentials, as a verbose proxy or a hostile endpoint might.
    /// </summary>
    public (int Status, string ContentType, string Body)? Scripted { get; set; }

    public Uri Address => Server.Address;

    internal StoreServer Server => _server ?? throw new InvalidOperationException("The store is not started.");

    /// <summary>Gets a short id unique to this store, part of the secret's name.</summary>
    protected string Id { get; }

    /// <summary>Gets the reason the source or the provider gives for <paramref name="fault"/>, as it appears in messages.</summary>
    public abstract string ExpectedReason(StoreFault fault);

    /// <summary>Gets the reason the source gives for having no key after <paramref name="absence"/>, as it appears in messages.</summary>
    public abstract string ExpectedReason(StoreAbsence absence);

    /// <summary>Adds this store's source to the chain, with the credentials and transport the test controls.</summary>
    public abstract void AddTo(IOpenAIKeyProviderBuilder builder);

    /// <summary>Registers what the source needs besides itself (for example an HttpClient factory).</summary>
    public virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Puts a new key (a new sentinel) in the store as a new version, as a rotation does.</summary>
    public Sentinel Rotate()
    {
        var key = Remember(Sentinel.Key());
        SecretText = SecretText.Replace(Key.Value, key.Value, StringComparison.Ordinal);
        Key = key;
        OnNewVersion();
        return key;
    }

    /// <summary>
    /// Gets an error answer to a read of the secret, in the store's own format, whose message repeats what the store
    /// holds (every key it ever held) and the credential the request carried, as a verbose proxy, a debugging endpoint
    /// or a hostile server might: none of it may reach the application's logs, errors or diagnostics.
    /// </summary>
    public (int Status, string ContentType, string Body) EchoingError()
    {
        var keys = string.Join(", ", Sentinels.Where(s => s.Kind == "OpenAI key").Select(s => s.Value));
        return EchoingError($"the secret holds {keys}");
    }

    /// <summary>The store's error whose message holds <paramref name="message"/> and the credential of the request.</summary>
    protected abstract (int Status, string ContentType, string Body) EchoingError(string message);

    /// <summary>Gives the secret a new version id or number.</summary>
    protected abstract void OnNewVersion();

    /// <summary>Makes the store misbehave from now on; <see cref="StoreFault.ConnectionRefused"/> stops the server.</summary>
    public async Task InjectAsync(StoreFault fault)
    {
        _fault = fault;
        if (fault == StoreFault.ConnectionRefused)
        {
            await Server.StopAsync();
        }
    }

    /// <summary>Makes the store answer normally again: the server is back, hung requests are released.</summary>
    public async Task RecoverAsync()
    {
        _fault = StoreFault.None;
        Interlocked.Exchange(ref _hang, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await Server.RestartAsync();
    }

    /// <summary>Completes once at least <paramref name="count"/> requests have arrived.</summary>
    public Task WaitForRequestsAsync(int count) => Eventually.TrueAsync(() => RequestCount >= count, $"{StoreName} should receive {count} request(s)");

    public async ValueTask DisposeAsync()
    {
        _hang.TrySetResult();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Cleanup();
        GC.SuppressFinalize(this);
    }

    internal async Task ListenAsync(X509Certificate2? certificate = null)
        => _server = await StoreServer.StartAsync(HandleAsync, certificate);

    /// <summary>
    /// Sends 200 with a Content-Length for the whole <paramref name="body"/>, then half of it, then closes the
    /// connection. Over plain HTTP the bytes go straight to the socket, followed by a FIN, so the client always gets
    /// the headers and then a premature end of the body, never a reset that races them.
    /// </summary>
    protected virtual async Task TruncateAsync(HttpContext context, string contentType, byte[] body)
    {
        await context.Request.Body.CopyToAsync(Stream.Null); // unread request bytes would make the close a reset
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket
            ?? throw new InvalidOperationException("Kestrel's socket transport exposes the connection's socket.");
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        socket.Send([.. head, .. body.AsSpan(0, body.Length / 2)]);
        socket.Shutdown(SocketShutdown.Send);
        context.Abort();
    }

    /// <summary>Deletes what the store wrote outside its server (credential files).</summary>
    protected virtual void Cleanup()
    {
    }

    protected Sentinel Remember(Sentinel sentinel)
    {
        _sentinels.Add(sentinel);
        return sentinel;
    }

    /// <summary>Returns whether a request is one the store's outage affects (an identity provider stays up).</summary>
    protected virtual bool IsAffectedByFaults(HttpRequest request) => true;

    protected abstract bool IsSecretRead(HttpRequest request);

    /// <summary>Answers a request normally.</summary>
    protected abstract Task AnswerAsync(HttpContext context);

    /// <summary>Answers a read of the secret the store does not have (<see cref="Absence"/>), as the store does.</summary>
    protected abstract Task AnswerAbsentAsync(HttpContext context, StoreAbsence absence);

    /// <summary>The store's own error for a status: content type and body.</summary>
    protected abstract (string ContentType, string Body) Error(int status);

    /// <summary>A successful read of a secret holding <paramref name="value"/>, exactly as the store sends it.</summary>
    protected abstract (string ContentType, byte[] Body) SecretAnswer(string value);

    protected static async Task WriteAsync(HttpContext context, int status, string contentType, string body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (IsSecretRead(context.Request))
        {
            Interlocked.Increment(ref _secretReads);
        }

        try
        {
            var fault = _fault;
            var absence = _absence;
            if (Scripted is { } scripted && IsSecretRead(context.Request))
            {
                await WriteAsync(context, scripted.Status, scripted.ContentType, scripted.Body);
            }
            else if (absence != StoreAbsence.None && fault == StoreFault.None && IsSecretRead(context.Request))
            {
                await AnswerAbsentAsync(context, absence);
            }
            else if (fault == StoreFault.None || !IsAffectedByFaults(context.Request))
            {
                await AnswerAsync(context);
            }
            else
            {
                await MisbehaveAsync(context, fault);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            // The client gave up (a timeout, a capped read): nothing to answer.
        }
    }

    private async Task WriteHugeAsync(HttpContext context, ReadOnlyMemory<byte> bytes)
    {
        // Once the client has closed the connection, Kestrel may discard writes without an error and fire
        // RequestAborted only later; the flush result says at once that nobody reads any more.
        var flushed = await context.Response.BodyWriter.WriteAsync(bytes, context.RequestAborted);
        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            throw new OperationCanceledException("The client closed the connection.");
        }
    }

    private async Task MisbehaveAsync(HttpContext context, StoreFault fault)
    {
        switch (fault)
        {
            case StoreFault.InternalServerError or StoreFault.ServiceUnavailable:
                var status = fault == StoreFault.InternalServerError ? 500 : 503;
                var (type, body) = Error(status);
                await WriteAsync(context, status, type, body);
                break;
            case StoreFault.TooManyRequests:
                var (throttledType, throttled) = Error(429);
                await WriteAsync(context, 429, throttledType, throttled, ("Retry-After", RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)));
                break;
            case StoreFault.BadGateway:
                await WriteAsync(context, 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
                break;
            case StoreFault.WrongContentType:
                await WriteAsync(context, 200, "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Sign in to continue</title></head><body><form action=\"/login\">Corporate proxy: sign in</form></body></html>");
                break;
            case StoreFault.Hang:
                try
                {
                    await _hang.Task.WaitAsync(context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _abandoned);
                    throw;
                }

                await AnswerAsync(context);
                break;
            case StoreFault.MalformedJson:
                {
                    // The answer breaks off right after the secret's value: a parser sees it, and must not repeat it.
                    var (contentType, full) = SecretAnswer(SecretText);
                    var text = Encoding.UTF8.GetString(full);
                    var cut = text.IndexOf(SecretText, StringComparison.Ordinal) + SecretText.Length + 1;
                    await WriteAsync(context, 200, contentType, text[..cut] + " ,, }");
                    break;
                }

            case StoreFault.TruncatedBody:
                {
                    var (contentType, full) = SecretAnswer(SecretText);
                    await TruncateAsync(context, contentType, full);
                    break;
                }

            case StoreFault.HugeBody:
                {
                    // Streamed chunk by chunk (never held whole), so that a client that stops reading stops the server.
                    var (contentType, answer) = SecretAnswer(HugeValueMarker);
                    var text = Encoding.UTF8.GetString(answer);
                    var at = text.IndexOf(HugeValueMarker, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        throw new InvalidOperationException($"{StoreName}'s secret answer does not hold the value as is; HugeBody cannot stream it.");
                    }

                    context.Response.StatusCode = 200;
                    context.Response.ContentType = contentType;
                    try
                    {
                        await WriteHugeAsync(context, Encoding.UTF8.GetBytes(text[..at] + "sk-proj-"));
                        var chunk = Encoding.UTF8.GetBytes(new string('H', 64 * 1024));
                        for (var left = HugeValueLength; left > 0; left -= chunk.Length)
                        {
                            await WriteHugeAsync(context, chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
                        }

                        await WriteHugeAsync(context, Encoding.UTF8.GetBytes(text[(at + HugeValueMarker.Length)..]));
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
                    {
                        // The client stopped reading and dropped the connection: what the tests expect.
                    }

                    break;
                }

            default:
                throw new InvalidOperationException($"{fault} is not answered by the handler.");
        }
    }
}
