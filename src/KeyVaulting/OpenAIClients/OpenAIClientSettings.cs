using System.ClientModel.Primitives;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace KeyVaulting;

/// <summary>
/// Settings of the <c>OpenAIClient</c> registered by <c>services.AddOpenAIClient()</c>: where it sends requests,
/// which organization and project it names, how long it waits and how often it retries, and whether the key is
/// checked against OpenAI when the host starts.
/// </summary>
/// <remarks>
/// The key itself is never a setting: the client asks the <see cref="IOpenAIKeyProvider"/> of the same name for the
/// current key on every request. Bind the settings from configuration with
/// <c>services.AddOpenAIClient(configuration.GetSection("OpenAI"))</c>; a misspelt setting fails startup, and every
/// value is validated when the host starts.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Range and MaxLength are checked by the generated [OptionsValidator], which emits its own copies of them; the reflection they may use at run time (the TimeSpan converter, string length) is on types a trimmed app always keeps.")]
public sealed class OpenAIClientSettings
{
    /// <summary>
    /// Gets or sets the base address of the API, for an OpenAI-compatible server, a proxy or the Azure OpenAI v1 API,
    /// for example <c>https://my-resource.openai.azure.com/openai/v1/</c>. Default: <see langword="null"/>, which
    /// means OpenAI's own <c>https://api.openai.com/v1</c>.
    /// </summary>
    /// <remarks>
    /// It must be an absolute http or https address without user information. Plain http is accepted only to this
    /// machine (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>): to another machine the key would travel unencrypted,
    /// so validation fails. An <c>AddOpenAIKeyHandler</c> client without a <c>BaseAddress</c> sends the key only to
    /// this address's origin.
    /// </remarks>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Gets or sets the organization id sent in the <c>OpenAI-Organization</c> header, for example <c>org-…</c>.
    /// Default: <see langword="null"/> (no header; OpenAI uses the key's default organization).
    /// </summary>
    public string? OrganizationId { get; set; }

    /// <summary>
    /// Gets or sets the project id sent in the <c>OpenAI-Project</c> header, for example <c>proj_…</c>.
    /// Default: <see langword="null"/> (no header; a project key already names its project).
    /// </summary>
    public string? ProjectId { get; set; }

    /// <summary>
    /// Gets or sets an application id put in front of the client's <c>User-Agent</c> header.
    /// Default: <see langword="null"/>.
    /// </summary>
    [MaxLength(512)]
    public string? UserAgentApplicationId { get; set; }

    /// <summary>
    /// Gets or sets how long one try of a request may take before it fails with a timeout (and is retried).
    /// Default: <see langword="null"/>, which means the OpenAI client's own default of 100 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>
    /// Gets or sets how many times a request is retried after a transient failure: a network error, a timeout, a
    /// 5xx answer or a 429 <c>rate_limit_exceeded</c>. A 429 <c>insufficient_quota</c> is never retried. A 401 is sent
    /// once more, at once, only when the provider has a newer key, whatever this setting is (also 0); that extra send
    /// counts as one of the request's tries. Default: 3.
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Gets or sets how often repeated 401 and 429 answers are summarized in the log. The first answer of a kind for a
    /// key is logged in full; the repeats are counted and logged as one summary with their count at most once per
    /// interval while they go on, and one line says when they stopped (after an interval without one, or when the
    /// provider serves another key). Memory stays bounded whatever the number of requests. Default: 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ErrorLogInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a value indicating whether the key is checked with <c>GET /models</c> when the host starts. A 401
    /// fails startup with a clear message; a network failure is logged as a warning unless
    /// <see cref="StrictStartupValidation"/> is set. Default: <see langword="false"/>.
    /// </summary>
    public bool ValidateKeyOnStartup { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether startup fails whenever <see cref="ValidateKeyOnStartup"/> cannot confirm
    /// that the key works (a network failure, a timeout or any answer other than success), not only on a 401.
    /// Requires <see cref="ValidateKeyOnStartup"/>. Default: <see langword="false"/>.
    /// </summary>
    public bool StrictStartupValidation { get; set; }

    /// <summary>
    /// Gets or sets the transport that sends the client's HTTP requests: set it to limit the connections the client
    /// opens, to go through a proxy, or to use your own <see cref="HttpMessageHandler"/>. Default:
    /// <see langword="null"/>, which means the OpenAI client's own transport (a shared <see cref="HttpClient"/> that
    /// opens as many connections as there are concurrent requests).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Only the transport changes: every request still passes KeyVaulting's policies (the current key, the resend
    /// after a 401 with a refreshed key, the retries) before it reaches the transport. For example, to open at most
    /// 256 connections and renew them every 5 minutes (so DNS changes are seen):
    /// </para>
    /// <code>
    /// services.AddOpenAIClient(settings => settings.Transport = new HttpClientPipelineTransport(
    ///     new HttpClient(new SocketsHttpHandler
    ///     {
    ///         MaxConnectionsPerServer = 256,
    ///         PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    ///     })));
    /// </code>
    /// <para>
    /// The application owns the transport and its <see cref="HttpClient"/>: KeyVaulting never disposes them, so one
    /// transport can serve several clients. It cannot be read from configuration (a <c>Transport</c> key in the
    /// configuration section fails, naming it): set it in code, also when the other settings come from configuration,
    /// for example <c>services.AddOpenAIClient(configuration.GetSection("OpenAI")).AddOpenAIClient(settings =&gt;
    /// settings.Transport = transport)</c>.
    /// </para>
    /// </remarks>
    public PipelineTransport? Transport { get; set; }
}
