using System.ClientModel.Primitives;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Azure.AI.OpenAI;

namespace KeyVaulting.AzureOpenAI;

/// <summary>
/// Settings of the <c>AzureOpenAIClient</c> registered by <c>services.AddAzureOpenAIClient(...)</c>: which Azure
/// OpenAI resource it calls, which API version, how long it waits and how often it retries.
/// </summary>
/// <remarks>
/// The key is never a setting: the client asks the <see cref="IOpenAIKeyProvider"/> of the same name for the current
/// key on every request and sends it in the <c>api-key</c> header. Bind the settings from configuration with
/// <c>services.AddAzureOpenAIClient(configuration.GetSection("AzureOpenAI"))</c>; a misspelt setting fails startup,
/// and every value is validated when the host starts.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Range and MaxLength are checked by the generated [OptionsValidator], which emits its own copies of them; the reflection they may use at run time (the TimeSpan converter, string length) is on types a trimmed app always keeps.")]
public sealed class AzureOpenAIClientSettings
{
    /// <summary>
    /// Gets or sets the Azure OpenAI resource's endpoint, for example <c>https://my-resource.openai.azure.com/</c>
    /// (without a deployment or an operation). Required.
    /// </summary>
    /// <remarks>
    /// It must be an absolute https address without user information; plain http is accepted only to this machine
    /// (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>), because the key would otherwise travel unencrypted.
    /// </remarks>
    [Required]
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Gets or sets the Azure OpenAI API version the client asks for (the <c>api-version</c> query parameter), for
    /// example <c>V2024_10_21</c>. Default: <see langword="null"/>, which means the <c>Azure.AI.OpenAI</c> package's
    /// own default.
    /// </summary>
    public AzureOpenAIClientOptions.ServiceVersion? ServiceVersion { get; set; }

    /// <summary>
    /// Gets or sets an application id put in front of the client's <c>User-Agent</c> header. Default:
    /// <see langword="null"/>.
    /// </summary>
    [MaxLength(512)]
    public string? UserAgentApplicationId { get; set; }

    /// <summary>
    /// Gets or sets how long one try of a request may take before it fails with a timeout (and is retried).
    /// Default: <see langword="null"/>, the client's own default of 100 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>
    /// Gets or sets how many times a request is retried after a transient failure: a network error, a timeout, a 5xx
    /// answer or a 429 that is not <c>insufficient_quota</c>. A 401 is sent once more, at once, only when the provider
    /// has a newer key, whatever this setting is (also 0). Default: 3.
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Gets or sets the transport that sends the client's HTTP requests (a connection limit, a proxy, your own
    /// <see cref="HttpMessageHandler"/>). Default: <see langword="null"/>, the client's own. Set it in code only; the
    /// application owns it and KeyVaulting never disposes it.
    /// </summary>
    public PipelineTransport? Transport { get; set; }
}
