namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>How a store's local server misbehaves.</summary>
public enum StoreFault
{
    /// <summary>The store answers normally.</summary>
    None,

    /// <summary>500 with the store's own error body.</summary>
    InternalServerError,

    /// <summary>502 with a proxy's HTML error page.</summary>
    BadGateway,

    /// <summary>503 with the store's own error body (sealed, unavailable).</summary>
    ServiceUnavailable,

    /// <summary>429 with the store's throttling error and <c>Retry-After</c> (30 seconds unless the store says otherwise).</summary>
    TooManyRequests,

    /// <summary>The server accepts the request and never answers (until the client gives up).</summary>
    Hang,

    /// <summary>Nothing listens on the port any more: the connection is refused.</summary>
    ConnectionRefused,

    /// <summary>200 with a body that is not valid JSON (it breaks off right after the secret's value).</summary>
    MalformedJson,

    /// <summary>200 announcing the whole answer in Content-Length, then the connection drops halfway.</summary>
    TruncatedBody,

    /// <summary>200 with an HTML sign-in page (<c>text/html</c>), as a captive portal or SSO proxy answers.</summary>
    WrongContentType,

    /// <summary>200 with a 10 MB answer (<see cref="FakeStore.HugeValueLength"/>), far larger than any secret, streamed without Content-Length.</summary>
    HugeBody,
}
