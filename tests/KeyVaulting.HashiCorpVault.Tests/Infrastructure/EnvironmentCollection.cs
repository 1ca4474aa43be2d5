namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>
/// Tests that set process environment variables (VAULT_ADDR, VAULT_TOKEN, HOME, …) run in this collection, one at
/// a time and never beside another test, and restore every variable they touch with <see cref="EnvironmentScope"/>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>Sets environment variables for one test and restores their previous values when disposed.</summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

    /// <summary>Clears the Vault CLI's variables so that the machine's own settings never leak into a test.</summary>
    public EnvironmentScope()
    {
        foreach (var name in new[] { "VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_SKIP_VERIFY" })
        {
            Set(name, null);
        }
    }

    public EnvironmentScope Set(string name, string? value)
    {
        if (!_previous.ContainsKey(name))
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
        }

        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
