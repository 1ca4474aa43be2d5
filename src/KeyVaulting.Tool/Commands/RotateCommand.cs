using System.CommandLine;
using KeyVaulting.Rotation;
using KeyVaulting.Tool.Internal;
using KeyVaulting.Tool.Internal.Configuration;
using KeyVaulting.Tool.Internal.Output;
using KeyVaulting.Tool.Internal.Rotate;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace KeyVaulting.Tool.Commands;

/// <summary>
/// <c>keyvaulting rotate</c> and <c>keyvaulting revoke-now</c>: the rotation package's rotator, configured from the
/// application's configuration (<c>AddOpenAIKeyRotation(configuration.GetSection("KeyVaulting:Rotation"))</c>), run
/// once from a terminal. <c>rotate</c> does what is due (<c>RunAsync</c>: rotate, or revoke the old key once the grace
/// period is over, or nothing), so running it again after a failure carries on where it stopped; <c>revoke-now</c> is
/// the leak response (<c>RotateNowAsync(RevokeTiming.Immediately)</c>). The admin key comes from its provider, never
/// from an argument.
/// </summary>
internal static class RotateCommand
{
    /// <summary>The variable the rotation docs read the admin key from when no admin provider section is given.</summary>
    public const string AdminKeyVariable = "OPENAI_ADMIN_KEY";

    public static Command Create(bool revokeNow)
    {
        var common = new CommonOptions();
        var rotationSection = new Option<string>("--rotation-section")
        {
            Description = "The configuration section of the rotation (ProjectId, ServiceAccountId, Interval, GracePeriod, Target, …).",
            DefaultValueFactory = _ => "KeyVaulting:Rotation",
            HelpName = "PATH",
        };
        var adminSection = new Option<string?>("--admin-section")
        {
            Description = $"The configuration section of the admin key's provider (Chain, Sources), as the application gives AddOpenAIKeyProvider(\"openai-admin\", …). Default: the {AdminKeyVariable} environment variable.",
            HelpName = "PATH",
        };
        var force = new Option<bool>("--force") { Description = "Rotate now even if the key is not due (the old key is still revoked after the grace period)." };

        var command = revokeNow
            ? new Command("revoke-now", "A key leaked: mint a new key, stage, test and promote it, and revoke the old key at once (RotateNowAsync(RevokeTiming.Immediately)).")
            : new Command("rotate", "Run the automated rotation once: rotate the key if it is due, revoke the old key once its grace period is over. Safe to run again after a failure.");
        common.AddTo(command);
        command.Options.Add(rotationSection);
        command.Options.Add(adminSection);
        if (!revokeNow)
        {
            command.Options.Add(force);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var console = ToolConsole.Create(result.GetValue(common.Json));
            var report = new RotateReport { Command = revokeNow ? "revoke-now" : "rotate" };
            var steps = new RotationSteps(step =>
            {
                if (!console.Json)
                {
                    var color = step.Level switch { "error" => "red", "warning" => "yellow", _ => "blue" };
                    console.Out.MarkupLine($"  [{color}]{Markup.Escape(step.Step),-10}[/] {Markup.Escape(step.Message)}");
                }
            });

            try
            {
                var project = AppProject.Open(result.GetValue(common.Project));
                Directory.SetCurrentDirectory(project.Directory);
                var configuration = AppConfiguration.Load(project, result.GetValue(common.Environment));
                var rotation = configuration.Root.GetSection(result.GetValue(rotationSection)!);
                if (!rotation.GetChildren().Any())
                {
                    throw new ToolUsageException($"Configuration '{rotation.Path}' is not defined (environment {configuration.Environment}): nothing says which project, service account and store to rotate. See docs/rotation.md, or give --rotation-section.");
                }

                var services = new ServiceCollection();
                services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Information).AddProvider(steps));
                services.AddOpenAIKeyRotation(rotation);
                var adminName = rotation[nameof(OpenAIKeyRotationOptions.AdminKeyProviderName)] ?? OpenAIKeyRotationOptions.DefaultAdminKeyProviderName;
                if (result.GetValue(adminSection) is { } admin)
                {
                    services.AddOpenAIKeyProvider(adminName, configuration.Root.GetSection(admin));
                }
                else
                {
                    services.AddOpenAIKeyProvider(adminName).AddEnvironmentVariable(AdminKeyVariable);
                }

                await using var provider = services.BuildServiceProvider();
                IOpenAIKeyRotator rotator;
                try
                {
                    rotator = provider.GetRequiredService<IOpenAIKeyRotator>();
                }
                catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException)
                {
                    throw new ToolUsageException(SecretShapes.Mask(ex.Message));
                }

                if (!console.Json)
                {
                    console.Out.MarkupLine($"[bold]keyvaulting {report.Command}[/] {Markup.Escape(rotator.Name.Length == 0 ? "default rotation" : rotator.Name)} ({Markup.Escape(rotation.Path)}, environment {Markup.Escape(configuration.Environment)})");
                }

                // The rotator bounds each call to OpenAI (RequestTimeout, TestTimeout); the whole run is bounded too.
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(TimeSpan.FromMinutes(10));
                var outcome = revokeNow
                    ? await rotator.RotateNowAsync(RevokeTiming.Immediately, bounded.Token).ConfigureAwait(false)
                    : result.GetValue(force)
                        ? await rotator.RotateNowAsync(RevokeTiming.AfterGracePeriod, bounded.Token).ConfigureAwait(false)
                        : await rotator.RunAsync(bounded.Token).ConfigureAwait(false);
                report.Outcome = outcome.Outcome.ToString();
                report.CurrentKeyFingerprint = outcome.CurrentKeyFingerprint;
                report.CurrentKeyId = outcome.CurrentKeyId;
                report.NextRunAt = outcome.NextRunAt;
                report.ExitCode = ExitCodes.Success;
            }
            catch (ToolUsageException ex)
            {
                report.Error = ex.Message;
                report.ExitCode = ExitCodes.UsageError;
            }
            catch (OpenAIKeyRotationException ex)
            {
                report.Error = SecretShapes.Mask(ex.Message);
                report.FailedStep = ex.Step;
                report.ExitCode = ExitCodes.Failed;
            }
            catch (OpenAIKeySourceException ex)
            {
                report.Error = SecretShapes.Mask(ex.Message);
                report.ExitCode = ExitCodes.Failed;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                report.Error = "The rotation did not finish within 10 minutes; run the command again: it carries on where it stopped.";
                report.ExitCode = ExitCodes.Failed;
            }

            report.Steps.AddRange(steps.Steps);
            Write(console, report);
            return report.ExitCode;
        });

        return command;
    }

    private static void Write(ToolConsole console, RotateReport report)
    {
        if (console.Json)
        {
            JsonOutput.Write(report);
            return;
        }

        if (report.Error is { } error)
        {
            console.WriteError(report.FailedStep is null ? error : $"step {report.FailedStep}: {error}");
            if (report.ExitCode == ExitCodes.Failed)
            {
                console.Error.MarkupLine("Run the same command again once the cause is fixed: the rotation carries on from what the store holds.");
            }

            return;
        }

        console.Out.MarkupLine($"[green]✓ {Markup.Escape(report.Outcome!)}[/]: current key {Markup.Escape(report.CurrentKeyFingerprint ?? "(unknown)")} ({Markup.Escape(report.CurrentKeyId ?? "id unknown")})" +
                               (report.NextRunAt is { } next ? $"; next step at {next:u}" : string.Empty));
        if (report.Outcome is nameof(OpenAIKeyRotationOutcome.Promoted) or nameof(OpenAIKeyRotationOutcome.WaitingForGracePeriod))
        {
            console.Out.MarkupLine("  The old key stays valid until then, so every instance can pick up the new one: run 'keyvaulting rotate' again after that time (or let the application's rotator do it) to revoke it.");
        }
    }
}
