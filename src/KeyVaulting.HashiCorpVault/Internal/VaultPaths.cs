namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>Builds and checks Vault API paths. Each segment is escaped; <c>.</c> and <c>..</c> segments are refused.</summary>
internal static class VaultPaths
{
    public static string TrimSlashes(string value) => value.Trim().Trim('/');

    /// <summary>Returns why <paramref name="value"/> is not a usable Vault path (relative, slash-separated), or null.</summary>
    public static string? Problem(string value)
    {
        var trimmed = TrimSlashes(value);
        if (trimmed.Length == 0)
        {
            return "it is empty";
        }

        foreach (var segment in trimmed.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//')";
            }

            if (segment is "." or "..")
            {
                return "it has a '.' or '..' segment";
            }

            if (segment.Any(char.IsControl))
            {
                return "it has a control character";
            }
        }

        return null;
    }

    /// <summary>The logical path a policy grants, for example <c>secret/data/openai</c> (KV v2) or <c>secret/openai</c> (KV v1).</summary>
    public static string SecretPath(string mount, string path, int kvVersion)
        => kvVersion == 2 ? $"{mount}/data/{path}" : $"{mount}/{path}";

    /// <summary>The logical path of the OpenAI secrets plugin's credentials for a role, for example <c>openai/creds/my-app</c>.</summary>
    public static string CredentialsPath(string mount, string role) => $"{mount}/creds/{role}";

    /// <summary>Escapes each segment of a logical path for the URL, keeping the slashes.</summary>
    public static string Escape(string logicalPath)
        => string.Join('/', logicalPath.Split('/').Select(Uri.EscapeDataString));
}
