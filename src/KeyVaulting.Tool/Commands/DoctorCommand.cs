using System.CommandLine;
using KeyVaulting.Tool.Internal;
using KeyVaulting.Tool.Internal.Configuration;
using KeyVaulting.Tool.Internal.Doctor;
using KeyVaulting.Tool.Internal.Output;

namespace KeyVaulting.Tool.Commands;

/// <summary>
/// <c>keyvaulting doctor</c>: which key would the application get, from where, and is any key where it must not be?
/// Exit code 0 without errors (warnings allowed), 1 with errors, 2 when the project or its configuration cannot be read.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(TimeProvider time)
    {
        var common = new CommonOptions();
        var checkKey = new Option<bool>("--check-key")
        {
            Description = "Also call GET /v1/models (OpenAI:Endpoint, OpenAI's by default) with the key found: valid or OpenAI's error type, and the organization and project OpenAI answers with.",
        };
        var noHistory = new Option<bool>("--no-history") { Description = "Do not search the git history for keys (it can take a while in a large repository)." };
        var gitTimeout = new Option<int>("--git-timeout")
        {
            Description = "The longest one git command may take, in seconds (the history search is one).",
            DefaultValueFactory = _ => 120,
            HelpName = "SECONDS",
        };

        var command = new Command("doctor", "Show which store serves which OpenAI key (fingerprints only, never a key), check each source of the chain, and look for keys in .env files, the working tree and the git history.");
        common.AddTo(command);
        command.Options.Add(checkKey);
        command.Options.Add(noHistory);
        command.Options.Add(gitTimeout);

        command.SetAction(async (result, cancellationToken) =>
        {
            var console = ToolConsole.Create(result.GetValue(common.Json));
            try
            {
                var project = AppProject.Open(result.GetValue(common.Project));
                Directory.SetCurrentDirectory(project.Directory); // relative paths resolve where the application runs
                var configuration = AppConfiguration.Load(project, result.GetValue(common.Environment));
                var section = result.GetValue(common.Section)!;
                var timeout = TimeSpan.FromSeconds(result.GetValue(common.Timeout));

                var report = new DoctorReport
                {
                    Project = project.Directory,
                    ProjectFile = project.ProjectFile,
                    Environment = configuration.Environment,
                    EnvironmentOrigin = configuration.EnvironmentOrigin,
                    ConfigurationFiles = configuration.Files,
                    UserSecretsFile = configuration.UserSecretsPath,
                    Section = section,
                };

                await console.WithProgressAsync("Reading the configuration", async progress =>
                {
                    var chain = new ChainInspector(configuration, section, timeout, time);
                    await chain.InspectAsync(report, progress, cancellationToken).ConfigureAwait(false);
                    KeyFindings.Add(report, time.GetUtcNow());

                    if (result.GetValue(checkKey) && chain.ServedKey is { } key)
                    {
                        progress("Asking OpenAI about the key");
                        report.KeyCheck = await new KeyChecker(configuration.Root, timeout, time).CheckAsync(key, report, cancellationToken).ConfigureAwait(false);
                    }

                    var hygiene = new HygieneInspector(project.Directory, TimeSpan.FromSeconds(result.GetValue(gitTimeout)), scanHistory: !result.GetValue(noHistory));
                    await hygiene.InspectAsync(report, progress, cancellationToken).ConfigureAwait(false);
                    return 0;
                }).ConfigureAwait(false);

                if (console.Json)
                {
                    JsonOutput.Write(report);
                }
                else
                {
                    DoctorRenderer.Write(console.Out, report);
                }

                return report.ExitCode;
            }
            catch (ToolUsageException ex)
            {
                console.WriteError(ex.Message);
                return ExitCodes.UsageError;
            }
        });

        return command;
    }
}
