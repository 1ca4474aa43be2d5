using System.CommandLine;
using KeyVaulting.Tool.Internal;
using KeyVaulting.Tool.Internal.Configuration;
using KeyVaulting.Tool.Internal.Git;
using KeyVaulting.Tool.Internal.Output;
using KeyVaulting.Tool.Internal.Set;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace KeyVaulting.Tool.Commands;

/// <summary>
/// <c>keyvaulting set --store NAME</c>: puts a key, read from standard input, into the store of a configured source,
/// for first-time setup, then reads it back through that source as the application would: a <c>.env</c> file, or an
/// Azure Key Vault, HashiCorp Vault or AWS Secrets Manager secret through the store package's own client (a new
/// current version).
/// </summary>
internal static class SetCommand
{
    /// <summary>The writer of each vault's source type (its configuration <c>Type</c>), created from the source's section.</summary>
    private static readonly Dictionary<string, Func<IConfigurationSection, IServiceProvider, string, IStoreKeyWriter>> StoreWriters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureKeyVault"] = AzureKeyVaultKeyWriter.Create,
        ["HashiCorpVault"] = VaultKeyWriter.Create,
        ["AwsSecretsManager"] = AwsKeyWriter.Create,
    };

    public static Command Create(TimeProvider time)
    {
        var common = new CommonOptions();
        var store = new Option<string>("--store", "-s")
        {
            Description = "The source to write to, by its name under the section's Sources (for example DotEnv).",
            Required = true,
            HelpName = "NAME",
        };
        var allowAdmin = new Option<bool>("--allow-admin-key")
        {
            Description = "Accept an admin key (sk-admin-): only for the store of the rotator's admin key provider, never the application's.",
        };

        var command = new Command("set", "Put an OpenAI key into a configured store for first-time setup. The key is read from standard input (piped, or typed without echo), never from an argument.");
        common.AddTo(command);
        command.Options.Add(store);
        command.Options.Add(allowAdmin);

        command.SetAction(async (result, cancellationToken) =>
        {
            var console = ToolConsole.Create(result.GetValue(common.Json));
            var name = result.GetValue(store)!;
            var outcome = new SetResult { Store = name, Type = "unknown" };
            try
            {
                var project = AppProject.Open(result.GetValue(common.Project));
                Directory.SetCurrentDirectory(project.Directory);
                var configuration = AppConfiguration.Load(project, result.GetValue(common.Environment));
                var sectionPath = result.GetValue(common.Section)!;
                var section = configuration.Root.GetSection(sectionPath).GetSection("Sources").GetSection(name);
                if (!section.GetChildren().Any())
                {
                    var defined = configuration.Root.GetSection(sectionPath).GetSection("Sources").GetChildren().Select(c => c.Key).ToList();
                    throw new ToolUsageException($"--store {name}: configuration '{section.Path}' is not defined (environment {configuration.Environment}). Defined sources: {(defined.Count == 0 ? "none" : string.Join(", ", defined))}.");
                }

                var type = section["Type"] ?? name;
                outcome = new SetResult { Store = name, Type = type };
                var exit = await SetAsync(outcome, configuration, sectionPath, section, result.GetValue(allowAdmin), TimeSpan.FromSeconds(result.GetValue(common.Timeout)), console, time, cancellationToken).ConfigureAwait(false);
                outcome.ExitCode = exit;
            }
            catch (ToolUsageException ex)
            {
                outcome.Error = ex.Message;
                outcome.ExitCode = ExitCodes.UsageError;
            }
            catch (ToolFailureException ex)
            {
                outcome.Error = ex.Message;
                outcome.ExitCode = ExitCodes.Failed;
            }
            catch (ToolNotSupportedException ex)
            {
                outcome.Error = ex.Message;
                outcome.ExitCode = ExitCodes.NotSupported;
            }

            Report(console, outcome);
            return outcome.ExitCode;
        });

        return command;
    }

    private static async Task<int> SetAsync(SetResult outcome, AppConfiguration configuration, string sectionPath, IConfigurationSection section, bool allowAdmin, TimeSpan timeout, ToolConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.Equals(outcome.Type, "EnvironmentVariable", StringComparison.OrdinalIgnoreCase))
        {
            outcome.Error = $"Source {outcome.Store} is an environment variable, which no tool can set for a running or future process: set it where the application starts (the shell, the service definition, the deployment's secret settings), or choose a store such as a .env file (Type DotEnvFile) for development.";
            return ExitCodes.NotSupported;
        }

        var isDotEnv = string.Equals(outcome.Type, "DotEnvFile", StringComparison.OrdinalIgnoreCase);
        if (!isDotEnv && !StoreWriters.ContainsKey(outcome.Type))
        {
            outcome.Error = $"Source {outcome.Store} has type {outcome.Type}, which this tool cannot write to. It writes DotEnvFile, {string.Join(", ", StoreWriters.Keys)} sources.";
            return ExitCodes.NotSupported;
        }

        // The source's own options, bound and validated by its package exactly as for the application, before the key is read.
        await using var services = new ServiceCollection().AddSingleton(time).BuildServiceProvider();
        using var writer = isDotEnv ? null : StoreWriters[outcome.Type](section, services, outcome.Store);
        DotEnvFileKeySourceOptions? options = null;
        try
        {
            options = isDotEnv ? new OpenAIKeySourceFactoryContext(string.Empty, section, services).Bind<DotEnvFileKeySourceOptions>(static (c, o, b) => c.Bind(o, b)) : null;
        }
        catch (InvalidOperationException ex)
        {
            throw new ToolUsageException(ex.Message);
        }

        var key = SecretInput.Read(Console.Error);
        if (key.Length == 0)
        {
            throw new ToolUsageException("No key on standard input. Pipe it (for example from your password manager's command line) or type it at the prompt.");
        }

        OpenAIKey candidate;
        try
        {
            candidate = new OpenAIKey(key, "standard input");
        }
        catch (ArgumentException)
        {
            throw new ToolUsageException("The key read from standard input has white space or control characters inside it; it was not written. Check what was pasted.");
        }

        outcome.Fingerprint = candidate.Fingerprint;
        outcome.Kind = KeyKinds.Of(key);
        if (outcome.Kind == KeyKinds.Admin && !allowAdmin)
        {
            throw new ToolUsageException($"{candidate.Fingerprint} is an admin key: it never belongs in the application's store. Put a project or service account key there; for the rotator's admin key store, pass --allow-admin-key.");
        }

        if (outcome.Kind is KeyKinds.User or KeyKinds.Unknown)
        {
            outcome.Warnings.Add($"{candidate.Fingerprint} is a {KeyKinds.Describe(outcome.Kind)}; OpenAI recommends project keys (sk-proj-) or service account keys (sk-svcacct-) for applications.");
        }

        if (writer is not null)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            StoreWrite written;
            try
            {
                written = await writer.WriteAsync(key, bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ToolFailureException($"{outcome.Type}, source {outcome.Store}: no answer within {timeout.TotalSeconds:0} seconds; it is not known whether the key was written. Check the store's address, then run set again (--timeout to wait longer).");
            }

            outcome.Location = written.Location;
            outcome.Version = written.Version;
            outcome.Verified = await VerifyAsync(configuration, sectionPath, outcome, candidate, timeout, time, cancellationToken).ConfigureAwait(false);
            return outcome.Verified ? ExitCodes.Success : ExitCodes.Failed;
        }

        options = options ?? throw new InvalidOperationException("A DotEnvFile source has options.");
        var path = Locate(options);
        var (file, created, replaced) = DotEnvKeyWriter.Write(path, options.Variable, key);
        outcome.File = file;
        outcome.Variable = options.Variable;
        outcome.ReplacedFingerprint = replaced;
        if (File.Exists(file + ".rotation.json"))
        {
            outcome.Warnings.Add($"{file} is a rotation target: the rotator sees this key as one put there by hand (its id is unknown, so the next rotation replaces it but cannot revoke it; delete it in the OpenAI dashboard then).");
        }

        if (replaced is not null && replaced != candidate.Fingerprint)
        {
            outcome.Warnings.Add($"The key it replaced ({replaced}) stays valid at OpenAI until you revoke it in the dashboard.");
        }

        await WarnIfNotIgnoredAsync(outcome, file, created, cancellationToken).ConfigureAwait(false);
        outcome.Verified = await VerifyAsync(configuration, sectionPath, outcome, candidate, timeout, time, cancellationToken).ConfigureAwait(false);
        return outcome.Verified ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Finds the file the source reads; a missing one is created where the application looks first.</summary>
    private static string Locate(DotEnvFileKeySourceOptions options)
    {
        var start = Directory.GetCurrentDirectory();
        if (Path.IsPathRooted(options.Path) || !options.SearchParentDirectories)
        {
            return Path.GetFullPath(options.Path, start);
        }

        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.GetFullPath(Path.Combine(directory.FullName, options.Path));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(options.Path, start);
    }

    private static async Task WarnIfNotIgnoredAsync(SetResult outcome, string file, bool created, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(file)!;
        var git = new GitRunner(directory, TimeSpan.FromSeconds(30));
        var ignored = await git.RunAsync(["check-ignore", "-q", "--no-index", "--", Path.GetFileName(file)], null, cancellationToken).ConfigureAwait(false);
        if (ignored is { ExitCode: 1 })
        {
            outcome.Warnings.Add($"{file} is not git-ignored{(created ? " (it was just created)" : string.Empty)}: add '{Path.GetFileName(file)}' to .gitignore before your next commit.");
        }
    }

    /// <summary>Reads the key back through the application's source, alone, with the library: the proof that the application will get it.</summary>
    private static async Task<bool> VerifyAsync(AppConfiguration configuration, string sectionPath, SetResult outcome, OpenAIKey expected, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var effective = new ConfigurationBuilder()
            .AddConfiguration(configuration.Root, shouldDisposeConfiguration: false)
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{sectionPath}:Chain"] = outcome.Store })
            .Build();
        var services = new ServiceCollection().AddSingleton(time);
        services.AddOpenAIKeyProvider(effective.GetSection(sectionPath));
        await using var provider = services.BuildServiceProvider();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var key = await provider.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync(bounded.Token).ConfigureAwait(false);
            if (key == expected)
            {
                return true;
            }

            outcome.Error = $"Source {outcome.Store} reads {key.Fingerprint} from {key.Source}, not the key just written ({expected.Fingerprint}). Check its settings (Path and Variable; for a vault, the secret, JsonField, Version and VersionStage).";
        }
        catch (Exception ex) when (ex is OpenAIKeyUnavailableException or InvalidOperationException or OperationCanceledException)
        {
            outcome.Error = $"The key was written, but source {outcome.Store} does not read it back: {SecretShapes.Mask(ex.Message)}";
        }

        return false;
    }

    private static void Report(ToolConsole console, SetResult outcome)
    {
        if (console.Json)
        {
            JsonOutput.Write(outcome);
            return;
        }

        if (outcome.Error is { } error)
        {
            console.WriteError(error);
        }

        if (outcome.Location is not null && outcome.Fingerprint is not null)
        {
            console.Out.MarkupLine($"{(outcome.Verified ? "[green]✓[/]" : "[red]✗[/]")} wrote {Markup.Escape(outcome.Fingerprint)} ({Markup.Escape(KeyKinds.Describe(outcome.Kind!))}) to {Markup.Escape(outcome.Type)} {Markup.Escape(outcome.Location)}" +
                                   (outcome.Version is { } version ? $", version {Markup.Escape(version)}" : string.Empty) +
                                   (outcome.Verified ? $"; source {Markup.Escape(outcome.Store)} reads it back" : string.Empty));
        }

        if (outcome.File is not null && outcome.Fingerprint is not null)
        {
            console.Out.MarkupLine($"{(outcome.Verified ? "[green]✓[/]" : "[red]✗[/]")} wrote {Markup.Escape(outcome.Fingerprint)} ({Markup.Escape(KeyKinds.Describe(outcome.Kind!))}) to {Markup.Escape(outcome.File)} ({Markup.Escape(outcome.Variable!)})" +
                                   (outcome.ReplacedFingerprint is { } old ? $", replacing {Markup.Escape(old)}" : string.Empty) +
                                   (outcome.Verified ? $"; source {Markup.Escape(outcome.Store)} reads it back" : string.Empty));
        }

        foreach (var warning in outcome.Warnings)
        {
            console.Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }
    }
}
