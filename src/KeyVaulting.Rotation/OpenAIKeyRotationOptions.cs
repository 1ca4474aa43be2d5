using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace KeyVaulting.Rotation;

/// <summary>
/// Options of an automated key rotation: which OpenAI project and service account it mints keys for, how often it
/// rotates, how long the old key stays valid, and which provider holds the admin key.
/// </summary>
/// <remarks>
/// Bound from configuration with <c>services.AddOpenAIKeyRotation(configuration.GetSection("KeyVaulting:Rotation"))</c>;
/// a misspelt setting fails startup, and every setting is validated when the host starts. The store the keys go to is
/// chosen on the builder (<c>UseDotEnvFile</c>, <c>UseTarget</c>) or by the section's <c>Target</c> subsection.
/// </remarks>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Range and MaxLength are checked by the generated [OptionsValidator], which emits its own copies of them; the reflection they may use at run time (the TimeSpan converter, string length) is on types a trimmed app always keeps.")]
public sealed class OpenAIKeyRotationOptions
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the rotator calls OpenAI with: <c>KeyVaulting.Rotation</c>.</summary>
    public const string HttpClientName = "KeyVaulting.Rotation";

    /// <summary>The default name of the key provider that holds the admin key: <c>openai-admin</c>.</summary>
    public const string DefaultAdminKeyProviderName = "openai-admin";

    /// <summary>Gets or sets the OpenAI project whose keys are rotated (<c>proj_…</c>). Required.</summary>
    [Required]
    public string? ProjectId { get; set; }

    /// <summary>
    /// Gets or sets the service account the keys are minted for (<c>svc_acct_…</c>). Required unless
    /// <see cref="Strategy"/> is <see cref="OpenAIKeyRotationStrategy.ServiceAccounts"/>.
    /// </summary>
    public string? ServiceAccountId { get; set; }

    /// <summary>
    /// Gets or sets how long a key is current before the next rotation, counted from the current key's creation time
    /// in the store, so every instance agrees. Default: 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Gets or sets how long the old key stays valid after the new one became current, so that every instance picks
    /// the new one up first: at least 1.1 × the consumers' <c>RefreshInterval</c> plus one read (<c>SourceTimeout</c>).
    /// Default: 10 minutes (the provider's defaults need 6).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets the lifetime OpenAI gives each new key (<c>expires_in_seconds</c>), a safety net so that a
    /// rotator that dies never leaves a key that lives forever. Keys the rotator minted that are older than this and
    /// no longer in the store are revoked. Default: <see langword="null"/>, which means <see cref="Interval"/> plus
    /// twice <see cref="GracePeriod"/>; at most 365 days.
    /// </summary>
    public TimeSpan? KeyLifetime { get; set; }

    /// <summary>Gets or sets how keys are minted and revoked. Default: <see cref="OpenAIKeyRotationStrategy.Automatic"/>.</summary>
    public OpenAIKeyRotationStrategy Strategy { get; set; } = OpenAIKeyRotationStrategy.Automatic;

    /// <summary>
    /// Gets or sets the name of the key provider that holds the admin key (<c>sk-admin-…</c>), registered with
    /// <c>services.AddOpenAIKeyProvider("openai-admin")</c> over any store. The rotator refuses any other kind of
    /// key. Default: <c>openai-admin</c>.
    /// </summary>
    [Required]
    public string AdminKeyProviderName { get; set; } = DefaultAdminKeyProviderName;

    /// <summary>
    /// Gets or sets the name of this application's key provider that reads the rotated key, refreshed as soon as a
    /// new key is promoted; empty for the default provider, <see langword="null"/> for none. Default: empty.
    /// </summary>
    public string? ProviderName { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the start of the names of the keys (or service accounts) the rotator mints:
    /// <c>{KeyNamePrefix}-{Environment}-{UTC time}-{rotation}</c>, so that a person recognises them and the rotator
    /// finds its orphans. Default: <c>keyvaulting</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")]
    public string KeyNamePrefix { get; set; } = "keyvaulting";

    /// <summary>
    /// Gets or sets the environment named in the keys' names. Default: <see langword="null"/>, which means the host's
    /// environment name in lower case (for example <c>production</c>), else <c>app</c>.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")]
    public string? Environment { get; set; }

    /// <summary>Gets or sets the base address of the OpenAI Admin API. Default: <c>https://api.openai.com/v1/</c>.</summary>
    [Required]
    public Uri AdminEndpoint { get; set; } = new("https://api.openai.com/v1/");

    /// <summary>
    /// Gets or sets the base address of the OpenAI API the new key is tested against with <c>GET models</c>.
    /// Default: <c>https://api.openai.com/v1/</c>.
    /// </summary>
    [Required]
    public Uri Endpoint { get; set; } = new("https://api.openai.com/v1/");

    /// <summary>Gets the scopes given to each new key (<c>scopes</c>); empty for the service account's default permissions.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether a hosted service runs the rotation on its schedule. Set it to
    /// <see langword="false"/> to run it yourself (an AWS Secrets Manager rotation function, a job). Default: <see langword="true"/>.
    /// </summary>
    public bool RunInBackground { get; set; } = true;

    /// <summary>
    /// Gets or sets the longest the hosted service waits between two looks at the store, to notice what other
    /// instances did. Default: 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long one call to OpenAI may take. Default: 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long the test step keeps trying a new key that OpenAI does not accept yet (a new key can take
    /// a few seconds to work everywhere) before it rolls the rotation back. Default: 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan TestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
