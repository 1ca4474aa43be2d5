using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>
/// A real store for a <see cref="RotationWorld"/>: its fake server on 127.0.0.1, the store package's rotation target
/// (as the rotator gets it) and its source (as consumers read it). Implemented by each store's test project, which
/// links this harness, so that the same end-to-end tests run against every store.
/// </summary>
internal interface IRotationStore : IAsyncDisposable
{
    /// <summary>Puts the application's first key in the store with its record (an earlier rotation's), in the store's own format.</summary>
    Task SeedAsync(string key, OpenAIKeyRecord record);

    /// <summary>Creates the store package's rotation target with the application's services.</summary>
    IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services);

    /// <summary>Adds the store package's source of the same secret to a consumer's provider.</summary>
    void AddSource(IOpenAIKeyProviderBuilder provider);

    /// <summary>Every secret the store's fake knows besides the keys (tokens, credentials), for the leak checks.</summary>
    IEnumerable<string> Secrets { get; }
}
