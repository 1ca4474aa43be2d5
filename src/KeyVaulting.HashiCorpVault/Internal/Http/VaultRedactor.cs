namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>
/// Remembers the secrets a source has handled (tokens, secret ids, JWTs, keys) and removes them from any text that
/// Vault sends back (errors, warnings) before it reaches a log or an exception. Vault does not echo secrets in its
/// messages; this makes sure of it.
/// </summary>
internal sealed class VaultRedactor
{
    private const int Capacity = 32;
    private const int MinimumLength = 6;
    private const string Mask = "[redacted]";

    private readonly object _gate = new();
    private readonly List<string> _values = [];

    public void Add(string? value)
    {
        if (value is null || value.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            if (_values.Contains(value, StringComparer.Ordinal))
            {
                return;
            }

            if (_values.Count == Capacity)
            {
                _values.RemoveAt(0);
            }

            _values.Add(value);
        }
    }

    public string Redact(string text)
    {
        lock (_gate)
        {
            foreach (var value in _values)
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        // Secrets the source never handled (a key the secret holds, echoed on a cold start) by their shape.
        return SecretShapes.Mask(text);
    }
}
