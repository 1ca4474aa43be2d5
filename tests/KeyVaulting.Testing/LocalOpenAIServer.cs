using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KeyVaulting.Testing;

/// <summary>
/// A small OpenAI-compatible server (Kestrel, 127.0.0.1, a free port) for tests, samples and benchmarks. It serves
/// <c>POST /v1/chat/completions</c> (also streamed), <c>POST /v1/embeddings</c> and <c>GET /v1/models</c> with
/// OpenAI's real response and error bodies from the shared fixtures, accepts only the keys it is told are valid
/// (anything else gets OpenAI's 401 <c>invalid_api_key</c>, with the key masked as OpenAI masks it), and records
/// which key and headers every request carried.
/// </summary>
/// <remarks>
/// Scripted answers (<see cref="EnqueueError"/>) are served to the next authenticated requests, in order, before the
/// normal answer: use them for 429s and 5xx. <see cref="HoldResponses"/> keeps requests in flight until
/// <see cref="ReleaseResponses"/>; the key check runs after the hold, so a key revoked meanwhile is rejected.
/// </remarks>
public sealed class LocalOpenAIServer : IAsyncDisposable
{
    private static readonly Lazy<string> ChatCompletionBody = new(() => RecordedResponseBody("ChatTests", "HelloWorldChat.json"));
    private static readonly Lazy<string> ModelsBody = new(() => RecordedResponseBody("ModelsTests", "ListModels.json"));
    private static readonly Lazy<JsonNode> InvalidApiKeyBody = new(() => JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("openai", "errors", "401-invalid_api_key.json")))!);

    private LocalServer _server = null!;
    private readonly ConcurrentDictionary<string, byte> _validKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ScriptedResponse> _scripted = new();
    private readonly ConcurrentQueue<LocalOpenAIRequest> _requests = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly object _waitersGate = new();
    private volatile TaskCompletionSource? _hold;
    private int _sequence;
    private int _inFlight;
    private int _peakInFlight;

    private LocalOpenAIServer(IEnumerable<string> validKeys)
    {
        foreach (var key in validKeys)
        {
            AcceptKey(key);
        }
    }

    /// <summary>Gets the API base address to give the OpenAI client: <c>http://127.0.0.1:{port}/v1/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets the server's root address, for raw <see cref="HttpClient"/> callers.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets every request received so far, in order of arrival.</summary>
    public IReadOnlyList<LocalOpenAIRequest> Requests => [.. _requests.OrderBy(r => r.Sequence)];

    /// <summary>Gets how many requests arrived so far.</summary>
    public int RequestCount => Volatile.Read(ref _sequence);

    /// <summary>Gets the requests in flight now (held ones included).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets the most requests that were in flight at the same time.</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Starts a server on 127.0.0.1 and a free port that accepts the given keys.</summary>
    public static async Task<LocalOpenAIServer> StartAsync(params string[] validKeys)
    {
        var server = new LocalOpenAIServer(validKeys);
        server._server = await LocalServer.StartAsync(server.HandleAsync);
        server.BaseAddress = server._server.Address;
        server.Endpoint = new Uri(server.BaseAddress, "v1/");
        return server;
    }

    /// <summary>Makes the server accept a key.</summary>
    public void AcceptKey(string key) => _validKeys[key] = 0;

    /// <summary>Makes the server reject a key with 401 from now on, as OpenAI does for a revoked key.</summary>
    public void RevokeKey(string key) => _validKeys.TryRemove(key, out _);

    /// <summary>Answers the next authenticated request with an error body from <c>tests/fixtures/openai/errors</c>.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="errorFixture">The file name, for example <c>429-insufficient_quota.json</c>.</param>
    /// <param name="headers">Extra response headers, for example <c>("retry-after-ms", "1")</c>.</param>
    public void EnqueueError(int status, string errorFixture, params (string Name, string Value)[] headers)
        => _scripted.Enqueue(new ScriptedResponse(status, File.ReadAllText(Fixtures.PathOf("openai", "errors", errorFixture)), headers));

    /// <summary>Answers the next authenticated request with the given status and JSON body.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="json">The body.</param>
    /// <param name="headers">Extra response headers.</param>
    public void EnqueueResponse(int status, string json, params (string Name, string Value)[] headers)
        => _scripted.Enqueue(new ScriptedResponse(status, json, headers));

    /// <summary>Keeps every request in flight (after recording it) until <see cref="ReleaseResponses"/>.</summary>
    public void HoldResponses() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets held requests, and all later ones, be answered.</summary>
    public void ReleaseResponses() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    /// <summary>Completes when at least <paramref name="count"/> requests have arrived in total.</summary>
    public Task WaitForRequestsAsync(int count)
    {
        lock (_waitersGate)
        {
            if (RequestCount >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Masks a key the way OpenAI's 401 message does: first 8 characters, stars, last 4.</summary>
    public static string Mask(string key)
        => key.Length <= 12 ? new string('*', key.Length) : string.Concat(key.AsSpan(0, 8), new string('*', key.Length - 12), key.AsSpan(key.Length - 4));

    public async ValueTask DisposeAsync()
    {
        ReleaseResponses();
        await _server.DisposeAsync();
    }

    private static string RecordedResponseBody(string folder, string file)
    {
        using var session = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("openai", "openai-dotnet", folder, file)));
        return session.RootElement.GetProperty("Entries")[0].GetProperty("ResponseBody").GetRawText();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            int peak;
            while (inFlight > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) != peak)
            {
            }

            await AnswerAsync(context);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // A failure of the fake itself (a missing fixture, a bug) must fail the test at once with its reason. A 500
            // would be retried by the client, and with a FakeTimeProvider nobody advances, its retry wait never ends.
            // 400 is not retried: the client throws at once, and the message says what went wrong here.
            await WriteJsonAsync(context, 400, ErrorBody(
                $"The local OpenAI server failed: {exception.GetType().Name}: {exception.Message}", "local_server_failure", "local_server_failure"));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        JsonDocument? body = null;
        if (HttpMethods.IsPost(request.Method) && request.ContentLength != 0)
        {
            body = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
        }

        using (body)
        {
            var authorization = request.Headers.Authorization.ToString();
            var key = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
            var recorded = new LocalOpenAIRequest(
                Interlocked.Increment(ref _sequence),
                request.Method,
                request.Path.Value ?? string.Empty,
                key,
                HeaderOrNull(request, "OpenAI-Organization"),
                HeaderOrNull(request, "OpenAI-Project"),
                ModelOf(body),
                TagOf(request.Path, body));
            _requests.Enqueue(recorded);
            SignalWaiters();

            if (_hold is { } hold)
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }

            if (key is null || !_validKeys.ContainsKey(key))
            {
                await WriteJsonAsync(context, 401, InvalidKeyBody(key));
                return;
            }

            if (_scripted.TryDequeue(out var scripted))
            {
                foreach (var (name, value) in scripted.Headers)
                {
                    context.Response.Headers[name] = value;
                }

                await WriteJsonAsync(context, scripted.Status, scripted.Body);
                return;
            }

            switch (request.Method, request.Path.Value)
            {
                case ("POST", "/v1/chat/completions"):
                    if (body is not null && body.RootElement.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
                    {
                        await WriteChatStreamAsync(context);
                    }
                    else
                    {
                        await WriteJsonAsync(context, 200, ChatCompletionBody.Value);
                    }

                    break;
                case ("POST", "/v1/embeddings"):
                    await WriteJsonAsync(context, 200, EmbeddingsBody(body!.RootElement));
                    break;
                case ("GET", "/v1/models"):
                    await WriteJsonAsync(context, 200, ModelsBody.Value);
                    break;
                default:
                    await WriteJsonAsync(context, 404, ErrorBody($"Unknown request URL: {request.Method} {request.Path}.", "invalid_request_error", "unknown_url"));
                    break;
            }
        }
    }

    private void SignalWaiters()
    {
        lock (_waitersGate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (RequestCount >= _waiters[i].Count)
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private static string? HeaderOrNull(HttpRequest request, string name)
        => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null;

    private static string? ModelOf(JsonDocument? body)
        => body is not null && body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("model", out var model)
            ? model.GetString()
            : null;

    /// <summary>The last chat message's text, or the first embedding input: lets a test tell its requests apart.</summary>
    private static string? TagOf(PathString path, JsonDocument? body)
    {
        if (body is null || body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (path == "/v1/chat/completions" && body.RootElement.TryGetProperty("messages", out var messages) && messages.GetArrayLength() > 0)
        {
            var content = messages[messages.GetArrayLength() - 1].GetProperty("content");
            return content.ValueKind == JsonValueKind.String ? content.GetString() : content[0].GetProperty("text").GetString();
        }

        if (path == "/v1/embeddings" && body.RootElement.TryGetProperty("input", out var input))
        {
            return input.ValueKind == JsonValueKind.String ? input.GetString() : input[0].GetString();
        }

        return null;
    }

    private static string InvalidKeyBody(string? key)
    {
        // OpenAI's recorded 401 body, with the message naming this request's key masked as OpenAI masks it.
        var body = InvalidApiKeyBody.Value.DeepClone();
        body["error"]!["message"] = key is null
            ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            : $"Incorrect API key provided: {Mask(key)}. You can find your API key at https://platform.openai.com/account/api-keys.";
        return body.ToJsonString();
    }

    private static string ErrorBody(string message, string type, string? code) => new JsonObject
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
    }.ToJsonString();

    private static string EmbeddingsBody(JsonElement request)
    {
        var inputs = request.GetProperty("input") is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : [request.GetProperty("input").GetString() ?? string.Empty];
        var base64 = request.TryGetProperty("encoding_format", out var format) && format.GetString() == "base64";
        var model = request.GetProperty("model").GetString();

        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            // A deterministic vector: the input's length, then two constants.
            float[] vector = [inputs[i].Length, 0.5f, -0.25f];
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())))
                : new JsonArray([.. vector.Select(v => (JsonNode)JsonValue.Create(v))]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        var tokens = inputs.Sum(s => Math.Max(1, s.Length / 4));
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }.ToJsonString();
    }

    private static async Task WriteChatStreamAsync(HttpContext context)
    {
        // The recorded completion, sent as chat.completion.chunk events the way OpenAI streams: role, content, stop, [DONE].
        using var completion = JsonDocument.Parse(ChatCompletionBody.Value);
        var root = completion.RootElement;
        var id = root.GetProperty("id").GetString();
        var created = root.GetProperty("created").GetInt64();
        var model = root.GetProperty("model").GetString();
        var content = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        string Chunk(JsonObject delta, string? finishReason) => new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
        }.ToJsonString();

        var events = new[]
        {
            Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null),
            Chunk(new JsonObject { ["content"] = content }, null),
            Chunk([], "stop"),
            "[DONE]",
        };
        foreach (var data in events)
        {
            await context.Response.WriteAsync($"data: {data}\n\n", Encoding.UTF8);
            await context.Response.Body.FlushAsync();
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = Encoding.UTF8.GetByteCount(json);
        await context.Response.WriteAsync(json, Encoding.UTF8);
    }

    private sealed record ScriptedResponse(int Status, string Body, (string Name, string Value)[] Headers);
}

/// <summary>One request as the <see cref="LocalOpenAIServer"/> saw it.</summary>
/// <param name="Sequence">The order of arrival, from 1.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, for example <c>/v1/chat/completions</c>.</param>
/// <param name="Key">The bearer key sent, or <see langword="null"/>.</param>
/// <param name="Organization">The <c>OpenAI-Organization</c> header, or <see langword="null"/>.</param>
/// <param name="Project">The <c>OpenAI-Project</c> header, or <see langword="null"/>.</param>
/// <param name="Model">The <c>model</c> of the request body, or <see langword="null"/>.</param>
/// <param name="Tag">The last chat message's text or the first embedding input.</param>
public sealed record LocalOpenAIRequest(int Sequence, string Method, string Path, string? Key, string? Organization, string? Project, string? Model, string? Tag)
{
    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"#{Sequence} {Method} {Path} model={Model} key={(Key is null ? "(none)" : LocalOpenAIServer.Mask(Key))} tag={Tag}");
}
