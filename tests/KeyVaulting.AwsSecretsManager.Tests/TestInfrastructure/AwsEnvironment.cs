using System.Runtime.CompilerServices;

namespace KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

/// <summary>
/// Makes the test process's AWS environment hermetic before any test runs: no credentials or region from the
/// machine, no shared files from the developer's home, and no EC2 instance metadata calls (which would leave this
/// machine).
/// </summary>
internal static class AwsEnvironment
{
    /// <summary>The variables the AWS chains read; tests that set any of them restore them with <see cref="EnvironmentScope"/>.</summary>
    public static readonly string[] Variables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED",
    ];

    /// <summary>A folder that does not exist: the shared files point into it unless a test writes its own.</summary>
    public static readonly string NowhereDirectory = Path.Combine(Path.GetTempPath(), "keyvaulting-aws-tests-" + Guid.NewGuid().ToString("N"));

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: isolates the whole run from the machine's AWS setup.")]
    internal static void MakeHermetic()
    {
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(NowhereDirectory, "credentials"));
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(NowhereDirectory, "config"));
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

/// <summary>Sets environment variables for one test and restores every AWS variable when disposed.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _saved = AwsEnvironment.Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "keyvaulting-aws-" + Guid.NewGuid().ToString("N"));

    public EnvironmentScope Set(string variable, string? value)
    {
        if (!_saved.ContainsKey(variable))
        {
            _saved[variable] = Environment.GetEnvironmentVariable(variable);
        }

        Environment.SetEnvironmentVariable(variable, value);
        return this;
    }

    /// <summary>Writes a file into a folder removed on dispose; returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        foreach (var (variable, value) in _saved)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
