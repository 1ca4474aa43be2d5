namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>Turns what the chain and its sources answered into findings: no key, the key's kind and expiry, failing fallbacks, shadowed keys.</summary>
internal static class KeyFindings
{
    /// <summary>A key that expires within this time gets a warning.</summary>
    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(7);

    public static void Add(DoctorReport report, DateTimeOffset now)
    {
        if (report.ServedKey is not { } served)
        {
            report.Add(Severity.Error, "no-key", $"The application would get no key: {report.ChainError ?? "no source of the chain has one."}");
            return;
        }

        var where = $"{served.Fingerprint} from {served.Source}";
        switch (served.Kind)
        {
            case KeyKinds.Admin:
                report.Add(Severity.Error, "admin-key", $"{where} is an admin key: it can manage the whole organization and never belongs in an application. Put a project or service account key in the store, and keep the admin key for the rotator only.");
                break;
            case KeyKinds.User:
                report.Add(Severity.Warning, "user-key", $"{where} is a legacy user key, tied to a person. OpenAI's guides recommend a project key (sk-proj-) or a service account key (sk-svcacct-) for applications.");
                break;
            case KeyKinds.Unknown:
                report.Add(Severity.Warning, "unknown-key-kind", $"{where} does not start with a known OpenAI prefix (sk-proj-, sk-svcacct-, sk-). Check that it is an OpenAI key.");
                break;
        }

        if (served.ExpiresAt is { } expiresAt)
        {
            if (expiresAt <= now)
            {
                report.Add(Severity.Error, "key-expired", $"{where} expired at {expiresAt:u} according to the store. Put a new key in the store.");
            }
            else if (expiresAt - now < ExpiryWarning)
            {
                report.Add(Severity.Warning, "key-expiring", $"{where} expires at {expiresAt:u}, in less than {ExpiryWarning.TotalDays:0} days. Rotate it.");
            }
        }

        var servedAt = report.Sources.FirstOrDefault(s => s.Served)?.Position ?? 0;
        foreach (var source in report.Sources.Where(s => s.Position > servedAt))
        {
            switch (source.Status)
            {
                case SourceStatus.Failed or SourceStatus.TimedOut or SourceStatus.InvalidConfiguration:
                    report.Add(Severity.Warning, "fallback-failing", $"Source {source.Name} ({source.Type}), after the one that serves the key, fails: {source.Reason} It is not used while an earlier source has a key.");
                    break;
                case SourceStatus.Found when source.Fingerprint != served.Fingerprint:
                    report.Add(Severity.Info, "shadowed-key", $"Source {source.Name} holds another key ({source.Fingerprint}), not used while {served.Source} has one.");
                    break;
            }
        }
    }
}
