using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Rotation.Internal;

/// <summary>Marks that a rotation of this name is registered; the hosted service runs each one.</summary>
internal sealed class OpenAIKeyRotationRegistration(string name)
{
    public string Name { get; } = name;
}

/// <summary>Where a named rotation's target comes from: code (<c>UseTarget</c>, <c>UseDotEnvFile</c>) or a configuration section.</summary>
internal sealed class OpenAIKeyRotationTargetOptions
{
    public Func<IServiceProvider, IOpenAIKeyRotationTarget>? Factory { get; set; }

    public IConfigurationSection? Configuration { get; set; }
}
