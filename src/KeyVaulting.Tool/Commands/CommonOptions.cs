using System.CommandLine;

namespace KeyVaulting.Tool.Commands;

/// <summary>The options every command that reads the application's configuration takes.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Project { get; } = new("--project", "-p")
    {
        Description = "The application's project directory (or .csproj); its configuration is read from there, and relative paths resolve there. Default: the current directory.",
        HelpName = "DIR",
    };

    public Option<string?> Environment { get; } = new("--environment", "-e")
    {
        Description = "The environment name (appsettings.{Environment}.json; user secrets in Development). Default: DOTNET_ENVIRONMENT, ASPNETCORE_ENVIRONMENT, else Production.",
        HelpName = "NAME",
    };

    public Option<string> Section { get; } = new("--section")
    {
        Description = "The configuration section the application gives AddOpenAIKeyProvider.",
        DefaultValueFactory = _ => "KeyVaulting",
        HelpName = "PATH",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write one JSON document to standard output, for CI; nothing else goes there.",
    };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "The longest one network call may take, in seconds (a store, OpenAI).",
        DefaultValueFactory = _ => 30,
        HelpName = "SECONDS",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Project);
        command.Options.Add(Environment);
        command.Options.Add(Section);
        command.Options.Add(Json);
        command.Options.Add(Timeout);
        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 600)
            {
                result.AddError("--timeout must be between 1 and 600 seconds.");
            }
        });
    }
}
