using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace KeyVaulting.Tool.Internal.Configuration;

/// <summary>
/// The application's configuration, loaded the way <c>Host.CreateApplicationBuilder</c> loads it:
/// <c>DOTNET_</c>-prefixed environment variables (host settings), <c>appsettings.json</c>,
/// <c>appsettings.{Environment}.json</c>, user secrets (in the Development environment, from the project's
/// <c>UserSecretsId</c>), then environment variables; later ones win.
/// </summary>
internal sealed class AppConfiguration
{
    /// <summary>The environment a host uses when none is set.</summary>
    public const string DefaultEnvironment = "Production";

    private AppConfiguration(IConfigurationRoot root, string environment, string environmentOrigin, IReadOnlyList<string> files, string? userSecretsPath)
    {
        Root = root;
        Environment = environment;
        EnvironmentOrigin = environmentOrigin;
        Files = files;
        UserSecretsPath = userSecretsPath;
    }

    /// <summary>Gets the configuration.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>Gets the environment name, for example <c>Development</c>.</summary>
    public string Environment { get; }

    /// <summary>Gets where the environment name came from: <c>--environment</c>, a variable, or the default.</summary>
    public string EnvironmentOrigin { get; }

    /// <summary>Gets the settings files that exist and were read, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the user secrets file that was read, or <see langword="null"/>.</summary>
    public string? UserSecretsPath { get; }

    /// <summary>Loads the configuration of <paramref name="project"/>.</summary>
    /// <param name="project">The application's project.</param>
    /// <param name="environment">The environment given on the command line, or <see langword="null"/> to read it as a host does.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ToolUsageException">A settings file is not valid JSON.</exception>
    public static AppConfiguration Load(AppProject project, string? environment)
    {
        var (name, origin) = ResolveEnvironment(environment);
        var builder = new ConfigurationBuilder().SetBasePath(project.Directory);
        builder.AddEnvironmentVariables("DOTNET_");
        builder.AddJsonFile("appsettings.json", optional: true, reloadOnChange: false);
        builder.AddJsonFile($"appsettings.{name}.json", optional: true, reloadOnChange: false);

        string? secretsPath = null;
        if (string.Equals(name, "Development", StringComparison.OrdinalIgnoreCase) && project.UserSecretsId is { } id)
        {
            builder.AddUserSecrets(id, reloadOnChange: false);
            secretsPath = Microsoft.Extensions.Configuration.UserSecrets.PathHelper.GetSecretsPathFromSecretsId(id);
        }

        builder.AddEnvironmentVariables();

        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            // The JSON provider names the file and the position, never a value.
            throw new ToolUsageException($"The application's configuration cannot be read: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new ToolUsageException($"The application's configuration cannot be read: {ex.Message}", ex);
        }

        var files = root.Providers.OfType<JsonConfigurationProvider>()
            .Select(p => p.Source.FileProvider?.GetFileInfo(p.Source.Path ?? string.Empty))
            .Where(f => f is { Exists: true, PhysicalPath: not null })
            .Select(f => f!.PhysicalPath!)
            .ToList();
        return new AppConfiguration(root, name, origin, files, secretsPath is not null && File.Exists(secretsPath) ? secretsPath : null);
    }

    /// <summary>Describes which configuration provider supplies <paramref name="key"/>: a file's name, user secrets or environment variables.</summary>
    /// <param name="key">The full configuration key, for example <c>KeyVaulting:Sources:Vault:Type</c>.</param>
    /// <returns>For example <c>appsettings.Production.json</c>, or <see langword="null"/> when no provider has it.</returns>
    public string? OriginOf(string key)
    {
        foreach (var provider in Root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _))
            {
                continue;
            }

            return provider switch
            {
                JsonConfigurationProvider json when UserSecretsPath is not null && json.Source.Path is { } path && path.EndsWith("secrets.json", StringComparison.OrdinalIgnoreCase) => "user secrets",
                JsonConfigurationProvider json => json.Source.Path,
                EnvironmentVariablesConfigurationProvider => "environment variables",
                _ => provider.GetType().Name,
            };
        }

        return null;
    }

    private static (string Name, string Origin) ResolveEnvironment(string? environment)
    {
        if (!string.IsNullOrWhiteSpace(environment))
        {
            return (environment.Trim(), "--environment");
        }

        foreach (var variable in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT" })
        {
            var value = System.Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), variable);
            }
        }

        return (DefaultEnvironment, "default");
    }
}
