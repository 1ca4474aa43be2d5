using Amazon.Runtime.CredentialManagement;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Finds a Secrets Manager endpoint configured outside the source, as the AWS SDKs and CLI do (their "service-specific
/// endpoints" settings), in this order: the <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c> variable, the
/// <c>AWS_ENDPOINT_URL</c> variable, <c>secrets_manager</c>'s <c>endpoint_url</c> in the profile's <c>services</c>
/// section of the shared config file, then the profile's own <c>endpoint_url</c>. None of them counts when
/// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> (or the profile's <c>ignore_configured_endpoint_urls</c>) is true.
/// </summary>
internal static class AwsEndpointUrlResolver
{
    public const string ServiceVariable = "AWS_ENDPOINT_URL_SECRETS_MANAGER";
    public const string GlobalVariable = "AWS_ENDPOINT_URL";
    public const string IgnoreVariable = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

    /// <summary>The service's key in a <c>services</c> section: its service id, lower case, spaces as underscores.</summary>
    public const string ServiceKey = "secrets_manager";

    /// <summary>
    /// Returns the configured endpoint and where it came from, or <see langword="null"/> when none is configured.
    /// Throws <see cref="FormatException"/>, naming the setting but never its value, when the one that counts is not
    /// an absolute http(s) URL with no path.
    /// </summary>
    public static (Uri Uri, string Origin)? Resolve(string? profileName)
    {
        var profile = FindProfile(profileName);
        if (IsTrue(Environment.GetEnvironmentVariable(IgnoreVariable)) || profile?.IgnoreConfiguredEndpointUrls == true)
        {
            return null;
        }

        foreach (var variable in (string[])[ServiceVariable, GlobalVariable])
        {
            if (Environment.GetEnvironmentVariable(variable) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return (Parse(value, $"the environment variable {variable}"), $"environment variable {variable}");
            }
        }

        if (profile is null)
        {
            return null;
        }

        if (profile.Services is { Length: > 0 } services && FindServiceEndpoint(services) is { } serviceUrl)
        {
            var origin = $"{ServiceKey} endpoint_url of the services section '{services}' (profile '{profile.Name}')";
            return (Parse(serviceUrl, origin), origin);
        }

        if (profile.EndpointUrl is { Length: > 0 } global && !string.IsNullOrWhiteSpace(global))
        {
            var origin = $"endpoint_url of profile '{profile.Name}'";
            return (Parse(global, origin), origin);
        }

        return null;
    }

    private static CredentialProfile? FindProfile(string? profileName)
    {
        var name = !string.IsNullOrWhiteSpace(profileName) ? profileName.Trim()
            : Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment.Trim()
            : "default";
        return new CredentialProfileStoreChain().TryGetProfile(name, out var profile) ? profile : null;
    }

    /// <summary>
    /// Reads <c>[services NAME]</c> of the shared config file (<c>AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>):
    /// the indented <c>endpoint_url</c> under its <c>secrets_manager =</c> line.
    /// </summary>
    private static string? FindServiceEndpoint(string sectionName)
    {
        var path = Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "config");
        if (!File.Exists(path))
        {
            return null;
        }

        var inSection = false;
        var inService = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var header = line.Trim('[', ']').Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                inSection = header is ["services", var name] && name == sectionName;
                inService = false;
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (!inSection || equals < 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (!char.IsWhiteSpace(raw[0]))
            {
                inService = key == ServiceKey && value.Length == 0;
            }
            else if (inService && key == "endpoint_url" && value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }

    private static Uri Parse(string value, string origin)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0)
        {
            return uri;
        }

        throw new FormatException(
            $"The Secrets Manager endpoint from {origin} is not usable: it must be an absolute https:// (or http:// for local development) URL with no path, query or user information. " +
            $"Fix it, unset it, set the source's ServiceUrl, or set {IgnoreVariable}=true to ignore configured endpoints.");
    }

    private static bool IsTrue(string? value) => value is not null && value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
}
