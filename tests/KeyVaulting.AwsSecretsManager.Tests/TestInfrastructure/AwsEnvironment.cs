using System.Runtime.CompilerServices;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// Makes the test process's AWS environment hermetic before any test runs: no credentials or region from the
/// machine, no shared files from the developer's home, and no EC2 instance metadata calls (which would leave this
/// machine).
/// </summary>
/// <remarks>
/// AWSSDK.Core reads <c>AWS_SHARED_CREDENTIALS_FILE</c> and <c>AWS_CONFIG_FILE</c> once per process, and only when
/// the files exist then: the variables point at two empty files created here, and tests write profiles into those
/// same files (<see cref="EnvironmentScope.WriteSharedCredentials"/>), which the SDK re-reads on every lookup.
/// </remarks>
internal static class AwsEnvironment
{
    /// <summary>The variables the AWS chains read; tests that set any of them restore them with <see cref="EnvironmentScope"/>.</summary>
    public static readonly string[] Variables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_STS_REGIONAL_ENDPOINTS",
    ];

    private static readonly string Directory = Path.Combine(Path.GetTempPath(), "keyvaulting-aws-tests-" + Environment.ProcessId);

    /// <summary>Gets the shared credentials file of the test process (empty unless a test writes a profile).</summary>
    public static string SharedCredentialsFile { get; } = Path.Combine(Directory, "credentials");

    /// <summary>Gets the shared config file of the test process (empty unless a test writes a profile).</summary>
    public static string SharedConfigFile { get; } = Path.Combine(Directory, "config");

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: isolates the whole run from the machine's AWS setup.")]
    internal static void MakeHermetic()
    {
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(SharedCredentialsFile, string.Empty);
        File.WriteAllText(SharedConfigFile, string.Empty);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", SharedCredentialsFile);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", SharedConfigFile);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder; harmless.
            }
        };
    }
}

/// <summary>
/// Tests that change process environment variables run in this collection, one at a time and never beside other
/// tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsEnvironmentCollection
{
    public const string Name = "Process environment (AWS variables)";
}

/// <summary>
/// Sets environment variables and writes the shared AWS files for one test; restores every AWS variable and empties
/// the files when disposed.
/// </summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _saved = AwsEnvironment.Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public EnvironmentScope Set(string variable, string? value)
    {
        if (!_saved.ContainsKey(variable))
        {
            _saved[variable] = Environment.GetEnvironmentVariable(variable);
        }

        Environment.SetEnvironmentVariable(variable, value);
        return this;
    }

    /// <summary>Writes the shared credentials file (<c>~/.aws/credentials</c> of the test process); returns its path.</summary>
    public string WriteSharedCredentials(string content)
    {
        File.WriteAllText(AwsEnvironment.SharedCredentialsFile, content);
        return AwsEnvironment.SharedCredentialsFile;
    }

    /// <summary>Writes the shared config file (<c>~/.aws/config</c> of the test process); returns its path.</summary>
    public string WriteSharedConfig(string content)
    {
        File.WriteAllText(AwsEnvironment.SharedConfigFile, content);
        return AwsEnvironment.SharedConfigFile;
    }

    public void Dispose()
    {
        foreach (var (variable, value) in _saved)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }

        File.WriteAllText(AwsEnvironment.SharedCredentialsFile, string.Empty);
        File.WriteAllText(AwsEnvironment.SharedConfigFile, string.Empty);
    }
}
