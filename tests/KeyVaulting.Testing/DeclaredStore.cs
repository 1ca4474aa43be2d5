using KeyVaulting.Testing;

// A store "package" declared the way KeyVaulting's store packages declare theirs: its assembly names its factory.
[assembly: KeyVaulting.OpenAIKeyStore(typeof(DeclaredStoreFactory))]

namespace KeyVaulting.Testing;

/// <summary>
/// The public type an application's <c>[assembly: OpenAIKeyStore(typeof(DeclaredStoreOptions))]</c> names, as a store
/// package's build targets add it (tests of trim-safe store discovery).
/// </summary>
public sealed class DeclaredStoreOptions
{
    /// <summary>The configuration type of <see cref="DeclaredStoreFactory"/>.</summary>
    public const string TypeName = "DeclaredStore";
}

/// <summary>A source factory that only this assembly's <c>OpenAIKeyStore</c> attribute names; its sources serve a fixed key.</summary>
public sealed class DeclaredStoreFactory : IOpenAIKeySourceFactory
{
    /// <inheritdoc />
    public string TypeName => DeclaredStoreOptions.TypeName;

    /// <inheritdoc />
    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
    {
        var source = new MutableKeySource($"{DeclaredStoreOptions.TypeName}:{context.Configuration.Key}");
        source.SetValue(TestKeys.Project('D'));
        return source;
    }
}
