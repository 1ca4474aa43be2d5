using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>Key Vault's rules for the settings of a source, shared by code and configuration.</summary>
internal static partial class SecretSettings
{
    /// <summary>The Key Vault service version pinned when KeyVaulting creates the client options.</summary>
    public const SecretClientOptions.ServiceVersion PinnedServiceVersion = SecretClientOptions.ServiceVersion.V7_6;

    /// <summary>The longest secret value Key Vault stores (25 KB); a longer answer did not come from Key Vault.</summary>
    public const int MaxSecretValueLength = 25 * 1024;

    /// <summary>The client options that already hold <see cref="ResponseSizeLimitPolicy"/>, each given it once.</summary>
    private static readonly ConditionalWeakTable<SecretClientOptions, object> Capped = new();

    /// <summary>Serializes additions to an options instance: the SDK's policy list is a plain list.</summary>
    private static readonly object CapLock = new();

    public const string VaultUriRule = "an absolute https URI such as https://my-vault.vault.azure.net/";

    public const string SecretNameRule = "1 to 127 letters, digits or dashes (Key Vault's rule for secret names)";

    public const string VersionRule = "the letters and digits of a secret version id, such as 4387e9f3d6e14c459867679a90fd0f79";

    public static bool IsValidVaultUri(Uri? uri)
        => uri is { IsAbsoluteUri: true } && string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);

    public static bool IsValidSecretName(string? name) => name is not null && SecretName().IsMatch(name);

    public static bool IsValidVersion(string? version) => version is not null && Version().IsMatch(version);

    /// <summary>
    /// Creates the client options KeyVaulting uses when the application gives none: the pinned service version, the
    /// SDK's default retries without long waits inside a read, a 256 KiB cap on what is read of an answer, and the SDK's
    /// allow-list logging.
    /// </summary>
    public static SecretClientOptions CreateClientOptions(TimeProvider timeProvider)
    {
        var options = new SecretClientOptions(PinnedServiceVersion) { RetryPolicy = new BoundedWaitRetryPolicy(timeProvider) };
        return WithResponseSizeLimit(options);
    }

    /// <summary>
    /// Adds <see cref="ResponseSizeLimitPolicy"/> next to the transport of <paramref name="options"/>, once per
    /// instance however many sources share it (and from whichever thread builds them), before a
    /// <see cref="SecretClient"/> is created from them: the SDK keeps its policy list to itself, so the instances
    /// already given the policy are remembered here, without keeping them alive.
    /// </summary>
    public static SecretClientOptions WithResponseSizeLimit(SecretClientOptions options)
    {
        lock (CapLock)
        {
            if (!Capped.TryGetValue(options, out _))
            {
                options.AddPolicy(ResponseSizeLimitPolicy.Shared, HttpPipelinePosition.BeforeTransport);
                Capped.Add(options, CapLock);
            }
        }

        return options;
    }

    /// <summary>
    /// Returns why the client options would write the secret or a token to the Azure SDK's logs, or
    /// <see langword="null"/> when they keep its allow-list logging.
    /// </summary>
    public static string? FindUnsafeLogging(SecretClientOptions options)
    {
        if (options.Diagnostics.IsLoggingContentEnabled)
        {
            return "ClientOptions.Diagnostics.IsLoggingContentEnabled is true: the Azure SDK would log response bodies, " +
                   "which hold the secret's value. Set it to false.";
        }

        if (options.Diagnostics.LoggedHeaderNames.Any(h => string.Equals(h, "Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            return "ClientOptions.Diagnostics.LoggedHeaderNames contains Authorization: the Azure SDK would log the access token. Remove it.";
        }

        return null;
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    [GeneratedRegex("^[0-9a-zA-Z]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Version();
}
