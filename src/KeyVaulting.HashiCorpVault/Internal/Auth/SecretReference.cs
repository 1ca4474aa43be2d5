namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>
/// Where a credential (a token, a <c>secret_id</c>, a service-account JWT) is read from: a value given in code, an
/// environment variable or a file. It is read again at each login, so a rotated credential is picked up.
/// </summary>
/// <remarks><see cref="Description"/> names the place, never the value.</remarks>
internal sealed class SecretReference
{
    private readonly string? _value;
    private readonly string? _variable;
    private readonly string? _file;

    private SecretReference(string what, string description, string? value = null, string? variable = null, string? file = null)
    {
        What = what;
        Description = description;
        _value = value;
        _variable = variable;
        _file = file;
    }

    /// <summary>Gets what the credential is, for example <c>secret_id</c>.</summary>
    public string What { get; }

    /// <summary>Gets where the credential is read from, for example <c>the file /run/secrets/secret-id</c>.</summary>
    public string Description { get; }

    /// <summary>Gets a value indicating whether the credential was given in code, so reading it again gives the same value.</summary>
    public bool IsFixedValue => _value is not null;

    public static SecretReference Value(string value, string what) => new(what, "the value given in code", value: value);

    public static SecretReference Variable(string variable, string what) => new(what, $"the environment variable {variable}", variable: variable);

    public static SecretReference File(string path, string what) => new(what, $"the file {path}", file: path);

    /// <summary>Reads the credential, trimmed of surrounding white space (files usually end with a newline).</summary>
    /// <param name="sourceName">The source, for error messages.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="OpenAIKeySourceException">It is missing, empty or unreadable; the message names the place.</exception>
    public string Read(string sourceName)
    {
        if (TryRead(out var value, out var problem))
        {
            return value;
        }

        throw new OpenAIKeySourceException(sourceName, $"Cannot read the Vault {What}: {problem}.", isTransient: false);
    }

    /// <summary>Reads the credential, or says why it cannot (without any value).</summary>
    public bool TryRead(out string value, out string problem)
    {
        value = string.Empty;
        string? raw;
        if (_value is not null)
        {
            raw = _value;
        }
        else if (_variable is not null)
        {
            raw = Environment.GetEnvironmentVariable(_variable);
            if (raw is null)
            {
                problem = $"{Description} is not set";
                return false;
            }
        }
        else
        {
            if (!BoundedFile.TryRead(_file!, BoundedFile.MaxCredentialBytes, Description, out raw, out problem))
            {
                return false;
            }
        }

        var trimmed = raw.Trim();
        if (trimmed.Length == 0)
        {
            problem = $"{Description} is empty";
            return false;
        }

        value = trimmed;
        problem = string.Empty;
        return true;
    }
}
