namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// Remembers, for one <c>AddOpenAIKeyHandler</c> client, the origins a request went to without the key, so that each
/// is logged once. It outlives the handlers (the factory makes new ones every few minutes) and remembers at most
/// <see cref="OpenAIKeyDestination.MaxLoggedOrigins"/> origins, so that a client that fetches from many hosts cannot
/// grow it without bound; past that, further origins are not logged.
/// </summary>
internal sealed class RefusedOrigins
{
    private readonly HashSet<OpenAIOrigin> _logged = [];

    /// <summary>Returns <see langword="true"/> the first time an origin is seen, while fewer than the maximum are remembered.</summary>
    public bool FirstTime(OpenAIOrigin origin)
    {
        lock (_logged)
        {
            return _logged.Count < OpenAIKeyDestination.MaxLoggedOrigins && _logged.Add(origin);
        }
    }
}
