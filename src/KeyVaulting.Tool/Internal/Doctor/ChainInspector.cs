using KeyVaulting.Tool.Internal.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>
/// Builds the application's chain with the library's public API, <c>AddOpenAIKeyProvider(configuration.GetSection(…))</c>,
/// and asks it for the key, as the application would; then asks each source of the chain alone (the same
/// configuration with <c>Chain</c> set to that one source) to say what each holds and why.
/// </summary>
internal sealed class ChainInspector(AppConfiguration configuration, string sectionPath, TimeSpan timeout, TimeProvider time)
{
    private const string DefaultChainOrigin = "the default chain: no Chain or Sources configured";

    /// <summary>Gets the key the chain served, kept in memory only for <c>--check-key</c>.</summary>
    public OpenAIKey? ServedKey { get; private set; }

    /// <summary>Reads the served key into <paramref name="report"/>, then each source.</summary>
    public async Task InspectAsync(DoctorReport report, Action<string> progress, CancellationToken cancellationToken)
    {
        progress("Reading the key the application would get");
        var served = await ProbeAsync(configuration.Root, overrides: null, cancellationToken).ConfigureAwait(false);
        if (served.Key is { } key)
        {
            ServedKey = key.Value;
            report.ServedKey = new ServedKeyReport
            {
                Source = key.Source,
                Fingerprint = key.Fingerprint,
                Kind = key.Kind,
                Version = key.Version,
                ExpiresAt = key.ExpiresAt,
                DurationMs = served.DurationMs,
            };
        }
        else
        {
            report.ChainError = served.Detail ?? served.Error;
        }

        var section = configuration.Root.GetSection(sectionPath);
        var defined = section.GetSection("Sources").GetChildren().ToList();
        var chainValue = section["Chain"];
        List<string> chain;
        var useDefaultChain = false;
        if (!string.IsNullOrWhiteSpace(chainValue))
        {
            chain = chainValue.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else if (defined.Count <= 1)
        {
            chain = defined.Select(d => d.Key).ToList();
            useDefaultChain = defined.Count == 0;
        }
        else
        {
            chain = []; // ambiguous: the chain's own error says so
        }

        if (useDefaultChain)
        {
            await ProbeDefaultChainAsync(report, progress, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            for (var i = 0; i < chain.Count; i++)
            {
                var name = chain[i];
                var sourceSection = section.GetSection("Sources").GetSection(name);
                var type = sourceSection["Type"] ?? name;
                progress($"Reading source {name} ({type})");
                var entry = new SourceReport
                {
                    Name = name,
                    Type = type,
                    Position = i + 1,
                    ConfiguredIn = configuration.OriginOf(sourceSection.Path + ":Type") ?? configuration.OriginOf(FirstKey(sourceSection) ?? sourceSection.Path),
                    Settings = SettingsOf(sourceSection),
                };
                var overrides = new Dictionary<string, string?> { [$"{sectionPath}:Chain"] = name };
                Fill(entry, await ProbeAsync(configuration.Root, overrides, cancellationToken).ConfigureAwait(false));
                report.Sources.Add(entry);
            }

            foreach (var unused in defined.Where(d => !chain.Contains(d.Key, StringComparer.OrdinalIgnoreCase)))
            {
                report.Sources.Add(new SourceReport
                {
                    Name = unused.Key,
                    Type = unused["Type"] ?? unused.Key,
                    ConfiguredIn = configuration.OriginOf(unused.Path + ":Type"),
                    Settings = SettingsOf(unused),
                    Status = SourceStatus.NotInChain,
                });
            }
        }

        MarkServed(report);
    }

    private static string? FirstKey(IConfigurationSection section) => section.GetChildren().FirstOrDefault()?.Path;

    private static void MarkServed(DoctorReport report)
    {
        if (report.ServedKey is not { } served)
        {
            return;
        }

        var winner = report.Sources.FirstOrDefault(s => s.Status == SourceStatus.Found && s.SourceName == served.Source && s.Fingerprint == served.Fingerprint);
        if (winner is not null)
        {
            winner.Served = true;
        }
    }

    private async Task ProbeDefaultChainAsync(DoctorReport report, Action<string> progress, CancellationToken cancellationToken)
    {
        // What AddOpenAIKeyProvider does with no source: OPENAI_API_KEY, then a .env file; each asked alone.
        var defaults = new (string Name, string Type)[] { ("Env", "EnvironmentVariable"), ("DotEnv", "DotEnvFile") };
        for (var i = 0; i < defaults.Length; i++)
        {
            var (name, type) = defaults[i];
            progress($"Reading source {name} ({type})");
            var entry = new SourceReport
            {
                Name = name,
                Type = type,
                Position = i + 1,
                ConfiguredIn = DefaultChainOrigin,
                Settings = new Dictionary<string, string>(),
            };
            var overrides = new Dictionary<string, string?>
            {
                [$"{sectionPath}:Chain"] = name,
                [$"{sectionPath}:Sources:{name}:Type"] = type,
            };
            Fill(entry, await ProbeAsync(configuration.Root, overrides, cancellationToken).ConfigureAwait(false));
            report.Sources.Add(entry);
        }
    }

    private static void Fill(SourceReport entry, ProbeResult result)
    {
        entry.Status = result.Status;
        entry.Reachable = result.Reachable;
        entry.Reason = result.Error;
        entry.DurationMs = result.DurationMs;
        entry.File = result.DotEnvFile;
        entry.SourceName = result.Key?.Source ?? result.SourceName;
        entry.Notes.AddRange(result.Notes);
        if (result.Key is { } key)
        {
            entry.Fingerprint = key.Fingerprint;
            entry.Kind = key.Kind;
            entry.Version = key.Version;
            entry.ExpiresAt = key.ExpiresAt;
        }
    }

    private async Task<ProbeResult> ProbeAsync(IConfiguration root, IReadOnlyDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        var effective = overrides is null
            ? root
            : new ConfigurationBuilder().AddConfiguration(root, shouldDisposeConfiguration: false).AddInMemoryCollection(overrides).Build();
        var log = new ProbeLog();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(log));
        services.AddSingleton(time);
        var started = time.GetTimestamp();
        ServiceProvider? provider = null;
        try
        {
            services.AddOpenAIKeyProvider(effective.GetSection(sectionPath));
            provider = services.BuildServiceProvider();
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            var keys = provider.GetRequiredService<IOpenAIKeyProvider>();
            try
            {
                var key = await keys.GetKeyAsync(bounded.Token).AsTask().WaitAsync(bounded.Token).ConfigureAwait(false);
                return ProbeResult.Found(new FoundKey(key, key.Source, key.Fingerprint, KeyKinds.Of(key.Value), key.Version, key.ExpiresAt), Elapsed(started), log);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return ProbeResult.Failed(SourceStatus.TimedOut, reachable: false, $"no answer within {timeout.TotalSeconds:0.#} s (--timeout)", Elapsed(started), log);
            }
            catch (OpenAIKeyUnavailableException ex)
            {
                if (ex.InnerException is OpenAIKeySourceException failure)
                {
                    return ProbeResult.Failed(SourceStatus.Failed, reachable: !failure.IsTransient, SecretShapes.Mask(failure.Message), Elapsed(started), log, failure.SourceName) with { Detail = SecretShapes.Mask(ex.Message) };
                }

                return ProbeResult.Failed(SourceStatus.NotFound, reachable: true, SecretShapes.Mask(log.NoKeyReason ?? ex.Message), Elapsed(started), log, log.NoKeySource) with { Detail = SecretShapes.Mask(ex.Message) };
            }
        }
        catch (OptionsValidationException ex)
        {
            return ProbeResult.Failed(SourceStatus.InvalidConfiguration, reachable: null, SecretShapes.Mask(ex.Message), Elapsed(started), log);
        }
        catch (InvalidOperationException ex)
        {
            return ProbeResult.Failed(SourceStatus.InvalidConfiguration, reachable: null, SecretShapes.Mask(ex.Message), Elapsed(started), log);
        }
        finally
        {
            // Disposal cancels a read still in flight; a store that ignores cancellation does not hold the tool.
            try
            {
                if (provider is not null)
                {
                    await provider.DisposeAsync().AsTask().WaitAsync(timeout, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (TimeoutException)
            {
                // Abandoned: the process ends soon.
            }
        }
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>Returns a source's settings to show: values that have a secret's shape, or that a secret setting holds, are hidden.</summary>
    private static Dictionary<string, string> SettingsOf(IConfigurationSection section)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (string.Equals(child.Key, "Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var hidden = (IsSecretSetting(child.Key) && !NamesTheSecret(child.Key, section["Type"]))
                         || SecretShapes.Mask(child.Value!) != child.Value || child.Value!.StartsWith("sk-", StringComparison.Ordinal);
            settings[child.Key] = hidden ? "(hidden)" : child.Value!;
        }

        return settings;
    }

    /// <summary>
    /// Whether a setting whose name says "secret" is the name of the secret a store reads, not a credential: it is the
    /// first thing to check when the wrong key is served. <c>SecretId</c> only for AWS Secrets Manager (its secret's
    /// name or ARN): for HashiCorp Vault's AppRole a secret id is a credential.
    /// </summary>
    private static bool NamesTheSecret(string name, string? type)
        => name.Equals("SecretName", StringComparison.OrdinalIgnoreCase)
           || name.Equals("SecretEngine", StringComparison.OrdinalIgnoreCase)
           || (name.Equals("SecretId", StringComparison.OrdinalIgnoreCase) && string.Equals(type, "AwsSecretsManager", StringComparison.OrdinalIgnoreCase));

    private static bool IsSecretSetting(string name)
    {
        var last = name[(name.LastIndexOf(':') + 1)..];
        var refersToOne = last.EndsWith("Variable", StringComparison.OrdinalIgnoreCase)
                          || last.EndsWith("File", StringComparison.OrdinalIgnoreCase)
                          || last.EndsWith("Path", StringComparison.OrdinalIgnoreCase);
        return !refersToOne && (last.Contains("secret", StringComparison.OrdinalIgnoreCase)
                                || last.Contains("token", StringComparison.OrdinalIgnoreCase)
                                || last.Contains("password", StringComparison.OrdinalIgnoreCase)
                                || last.Equals("Key", StringComparison.OrdinalIgnoreCase)
                                || last.Equals("ApiKey", StringComparison.OrdinalIgnoreCase));
    }

    private sealed record FoundKey(OpenAIKey Value, string Source, string Fingerprint, string Kind, string? Version, DateTimeOffset? ExpiresAt);

    private sealed record ProbeResult(SourceStatus Status, bool? Reachable, FoundKey? Key, string? Error, long DurationMs, IReadOnlyList<string> Notes, string? DotEnvFile, string? SourceName)
    {
        /// <summary>Gets the whole message of the provider's error, which names every source tried.</summary>
        public string? Detail { get; init; }

        public static ProbeResult Found(FoundKey key, long duration, ProbeLog log)
            => new(SourceStatus.Found, true, key, null, duration, log.Warnings, log.DotEnvFile, key.Source);

        public static ProbeResult Failed(SourceStatus status, bool? reachable, string error, long duration, ProbeLog log, string? sourceName = null)
            => new(status, reachable, null, error, duration, log.Warnings, log.DotEnvFile, sourceName);
    }
}
