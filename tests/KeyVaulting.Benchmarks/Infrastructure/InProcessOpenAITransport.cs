using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics.CodeAnalysis;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A <see cref="PipelineTransport"/> that answers in process, without sockets: every request whose
/// <c>Authorization</c> header is one of the accepted values gets the same chat completion body, any other a 401. It
/// writes the request's content to <see cref="Stream.Null"/>, as a transport serializes it, and completes either
/// synchronously or, like a network, after yielding to the thread pool. Both contenders pay exactly the same
/// transport cost, so the difference between them is the cost of their authentication.
/// </summary>
internal sealed class InProcessOpenAITransport : PipelineTransport
{
    private static readonly BinaryData Unauthorized = BinaryData.FromString("""{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");

    private readonly BinaryData _body;
    private readonly string[] _acceptedHeaders;
    private readonly bool _asynchronous;
    private string? _lastAuthorization;

    /// <summary>Creates the transport.</summary>
    /// <param name="responseBody">The JSON body of every successful answer.</param>
    /// <param name="asynchronous">Whether requests complete after a yield (as over a network) or synchronously.</param>
    /// <param name="acceptedKeys">The keys accepted as <c>Bearer</c> tokens.</param>
    public InProcessOpenAITransport(byte[] responseBody, bool asynchronous, params string[] acceptedKeys)
    {
        _body = BinaryData.FromBytes(responseBody);
        _asynchronous = asynchronous;
        _acceptedHeaders = [.. acceptedKeys.Select(key => "Bearer " + key)];
    }

    /// <summary>Gets the <c>Authorization</c> header of the last request.</summary>
    public string? LastAuthorization => Volatile.Read(ref _lastAuthorization);

    protected override PipelineMessage CreateMessageCore() => new Message(new Request());

    protected override void ProcessCore(PipelineMessage message)
    {
        message.Request.Content?.WriteTo(Stream.Null, message.CancellationToken);
        Answer(message);
    }

    protected override ValueTask ProcessCoreAsync(PipelineMessage message)
    {
        if (_asynchronous)
        {
            return YieldThenAnswerAsync(message);
        }

        ProcessCore(message);
        return default;
    }

    private async ValueTask YieldThenAnswerAsync(PipelineMessage message)
    {
        if (message.Request.Content is { } content)
        {
            await content.WriteToAsync(Stream.Null, message.CancellationToken).ConfigureAwait(false);
        }

        await Task.Yield();
        Answer(message);
    }

    private void Answer(PipelineMessage message)
    {
        message.Request.Headers.TryGetValue("Authorization", out var authorization);
        Volatile.Write(ref _lastAuthorization, authorization);
        var accepted = authorization is not null && Array.IndexOf(_acceptedHeaders, authorization) >= 0;
        ((Message)message).SetResponse(accepted ? new Response(200, "OK", _body) : new Response(401, "Unauthorized", Unauthorized));
    }

    private sealed class Message(PipelineRequest request) : PipelineMessage(request)
    {
        public void SetResponse(PipelineResponse response) => Response = response;
    }

    private sealed class Request : PipelineRequest
    {
        private readonly Headers _headers = new();

        protected override string MethodCore { get; set; } = "GET";

        protected override Uri? UriCore { get; set; }

        protected override PipelineRequestHeaders HeadersCore => _headers;

        protected override BinaryContent? ContentCore { get; set; }

        public override void Dispose()
        {
        }
    }

    private sealed class Headers : PipelineRequestHeaders
    {
        private readonly List<KeyValuePair<string, string>> _values = new(8);

        public override void Add(string name, string value) => _values.Add(new(name, value));

        public override void Set(string name, string value)
        {
            _ = Remove(name);
            _values.Add(new(name, value));
        }

        public override bool Remove(string name)
            => _values.RemoveAll(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)) > 0;

        public override bool TryGetValue(string name, out string? value)
        {
            foreach (var header in _values)
            {
                if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = header.Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        public override bool TryGetValues(string name, out IEnumerable<string>? values)
        {
            values = TryGetValue(name, out var value) ? [value!] : null;
            return values is not null;
        }

        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();
    }

    private sealed class Response(int status, string reasonPhrase, BinaryData content) : PipelineResponse
    {
        public override int Status => status;

        public override string ReasonPhrase => reasonPhrase;

        public override Stream? ContentStream
        {
            get => null;
            set
            {
            }
        }

        public override BinaryData Content => content;

        protected override PipelineResponseHeaders HeadersCore => NoResponseHeaders.Instance;

        public override BinaryData BufferContent(CancellationToken cancellationToken = default) => content;

        public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => new(content);

        public override void Dispose()
        {
        }
    }

    private sealed class NoResponseHeaders : PipelineResponseHeaders
    {
        public static readonly NoResponseHeaders Instance = new();

        public override bool TryGetValue(string name, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        public override bool TryGetValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }

        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator()
            => Enumerable.Empty<KeyValuePair<string, string>>().GetEnumerator();
    }
}
