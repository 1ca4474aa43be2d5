using System.Globalization;
using Spectre.Console;

namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>Writes a <see cref="DoctorReport"/> for a person: one section per question, one line per finding.</summary>
internal static class DoctorRenderer
{
    public static void Write(IAnsiConsole console, DoctorReport report)
    {
        console.MarkupLine($"[bold]keyvaulting doctor[/] {E(report.Project)}");
        console.MarkupLine($"  environment [bold]{E(report.Environment)}[/] ({E(report.EnvironmentOrigin)}); configuration: {E(report.ConfigurationFiles.Count == 0 ? "no appsettings file" : string.Join(", ", report.ConfigurationFiles.Select(Path.GetFileName)))}{(report.UserSecretsFile is null ? string.Empty : ", user secrets")}, environment variables; section {E(report.Section)}");
        console.WriteLine();

        console.MarkupLine("[bold]Key served[/]");
        if (report.ServedKey is { } served)
        {
            console.MarkupLine($"  [green]✓[/] {E(served.Fingerprint)} ({E(KeyKinds.Describe(served.Kind))}) from {E(served.Source)}{Details(served.Version, served.ExpiresAt)} ({served.DurationMs} ms)");
        }
        else
        {
            console.MarkupLine($"  [red]✗ no key[/]: {E(report.ChainError ?? "no source has one")}");
        }

        console.WriteLine();
        console.MarkupLine("[bold]Sources[/]");
        foreach (var source in report.Sources)
        {
            var place = source.Position is { } p ? $"{p}." : "-";
            var settings = source.Settings.Count == 0 ? string.Empty : " " + string.Join(" ", source.Settings.Select(s => $"{s.Key}={s.Value}"));
            console.MarkupLine($"  {place} [bold]{E(source.Name)}[/] ({E(source.Type)}{(source.ConfiguredIn is null ? string.Empty : ", " + E(source.ConfiguredIn))}){E(settings)}");
            var time = source.DurationMs is { } ms ? $" ({ms} ms)" : string.Empty;
            switch (source.Status)
            {
                case SourceStatus.Found:
                    console.MarkupLine($"     [green]✓ found[/] {E(source.Fingerprint!)} ({E(KeyKinds.Describe(source.Kind!))}) at {E(source.SourceName ?? source.Name)}{Details(source.Version, source.ExpiresAt)}{time}{(source.Served ? " [green]← served[/]" : string.Empty)}");
                    break;
                case SourceStatus.NotFound:
                    console.MarkupLine($"     [yellow]– not found[/]: {E(source.Reason ?? string.Empty)}{time}");
                    break;
                case SourceStatus.NotInChain:
                    console.MarkupLine("     [grey]not in the chain: not read[/]");
                    break;
                default:
                    var what = source.Status switch
                    {
                        SourceStatus.TimedOut => "timed out",
                        SourceStatus.InvalidConfiguration => "invalid configuration",
                        _ => source.Reachable == false ? "unreachable" : "failed",
                    };
                    console.MarkupLine($"     [red]✗ {what}[/]: {E(source.Reason ?? string.Empty)}{time}");
                    break;
            }

            if (source.File is not null)
            {
                console.MarkupLine($"     file {E(source.File)}");
            }

            foreach (var note in source.Notes)
            {
                console.MarkupLine($"     [yellow]![/] {E(note)}");
            }
        }

        if (report.KeyCheck is { } check)
        {
            console.WriteLine();
            console.MarkupLine($"[bold]Key check[/] (GET {E(check.Endpoint)}models)");
            var answer = check.Result switch
            {
                "valid" => $"[green]✓ valid[/]: organization {E(check.Organization ?? "(not named)")}, project {E(check.ProjectId ?? "(not named)")}",
                "rejected" => $"[red]✗ rejected[/]: HTTP {check.HttpStatus} {E(check.ErrorType ?? string.Empty)} {E(check.ErrorCode ?? string.Empty)}",
                "skipped" => $"[grey]skipped[/]: {E(check.ErrorMessage ?? string.Empty)}",
                _ => $"[yellow]? no clear answer[/]: {E(check.ErrorMessage ?? $"HTTP {check.HttpStatus} {check.ErrorType}")}",
            };
            console.MarkupLine($"  {answer}{(check.DurationMs is { } ms ? $" ({ms} ms)" : string.Empty)}");
        }

        if (report.Hygiene is { } hygiene)
        {
            console.WriteLine();
            console.MarkupLine($"[bold]Hygiene[/] ({(hygiene.Repository is null ? "not a git repository" : "repository " + E(hygiene.Repository))})");
            if (hygiene.DotEnvFiles.Count == 0)
            {
                console.MarkupLine("  [green]✓[/] no .env file holds a key");
            }

            foreach (var file in hygiene.DotEnvFiles)
            {
                var ok = file.Ignored != false && file.Tracked != true && file.InHistorySince is null && file.OwnerOnly != false;
                console.MarkupLine($"  {(ok ? "[green]✓[/]" : "[red]✗[/]")} {E(file.Path)} ({E(string.Join(", ", file.Fingerprints))}): " +
                                   $"{(file.Ignored is null ? "ignore not checked" : file.Ignored.Value ? "ignored" : "[red]not ignored[/]")}, " +
                                   $"{(file.Tracked == true ? "[red]tracked[/], " : string.Empty)}" +
                                   $"{(file.InHistorySince is { } since ? $"[red]in history since {E(since)}[/]" : hygiene.Repository is null ? "history not checked" : "not in history")}, " +
                                   $"{(file.Mode is null ? "permissions not checked" : file.OwnerOnly == true ? $"mode {file.Mode}" : $"[red]mode {file.Mode}[/]")}");
            }

            console.MarkupLine(hygiene.WorkingTree.Count == 0
                ? $"  [green]✓[/] no key-shaped string in the working tree ({hygiene.FilesScanned.ToString(CultureInfo.InvariantCulture)} files)"
                : $"  [red]✗[/] {hygiene.WorkingTree.Count} key-shaped string(s) in the working tree ({hygiene.FilesScanned.ToString(CultureInfo.InvariantCulture)} files)");
            foreach (var found in hygiene.WorkingTree)
            {
                console.MarkupLine($"      {E(found.File)}:{found.Line} {E(found.Fingerprint)} ({E(KeyKinds.Describe(found.Kind))})");
            }

            if (hygiene.HistoryScanned)
            {
                console.MarkupLine(hygiene.History.Count == 0
                    ? "  [green]✓[/] no key-shaped string in the git history"
                    : $"  [red]✗[/] {hygiene.History.Count} key-shaped string(s) in the git history");
                foreach (var found in hygiene.History)
                {
                    console.MarkupLine($"      commit {E(found.Commit!)} {E(found.File)}:{found.Line} {E(found.Fingerprint)} ({E(KeyKinds.Describe(found.Kind))})");
                }
            }
        }

        console.WriteLine();
        var errors = report.Errors;
        var warnings = report.Warnings;
        console.MarkupLine(errors > 0
            ? $"[red bold]{errors} error(s)[/], {warnings} warning(s)"
            : warnings > 0 ? $"[yellow bold]No error[/], {warnings} warning(s)" : "[green bold]No problem found[/]");
        foreach (var finding in report.Findings.Where(f => f.Severity != Severity.Info).OrderByDescending(f => f.Severity))
        {
            var mark = finding.Severity == Severity.Error ? "[red]error[/]" : "[yellow]warning[/]";
            console.MarkupLine($"  {mark} [grey]{E(finding.Code)}[/]: {E(finding.Message)}");
        }
    }

    private static string Details(string? version, DateTimeOffset? expiresAt)
    {
        var parts = new List<string>();
        if (version is not null)
        {
            parts.Add("version " + version);
        }

        if (expiresAt is { } at)
        {
            parts.Add("expires " + at.ToString("u", CultureInfo.InvariantCulture));
        }

        return parts.Count == 0 ? string.Empty : $", {E(string.Join(", ", parts))}";
    }

    private static string E(string text) => Markup.Escape(text);
}
