namespace KeyVaulting.Rotation.Targets;

/// <summary>
/// Refuses an environment variable as the rotation target (<c>Type: EnvironmentVariable</c>), saying why and what to
/// use instead: a process's environment is set when it starts, so no rotator can change the key that running
/// instances read from it.
/// </summary>
internal sealed class EnvironmentVariableRotationTargetFactory : IOpenAIKeyRotationTargetFactory
{
    public const string Refusal =
        "An environment variable cannot be a rotation target: a process's environment is fixed when it starts, so the rotator cannot change the key that running instances read from it, and a new key would be lost at the next restart. " +
        "Rotate into a store the application reads and can be written: a .env file in development (Type DotEnvFile, or UseDotEnvFile), Azure Key Vault, AWS Secrets Manager or HashiCorp Vault in production; " +
        "and read the key from that store with the matching source (a variable may still point to the store, never hold the key).";

    public string TypeName => "EnvironmentVariable";

    public IOpenAIKeyRotationTarget Create(OpenAIKeySourceFactoryContext context)
        => throw new InvalidOperationException($"Configuration '{context.Configuration.Path}' selects rotation target type 'EnvironmentVariable'. {Refusal}");
}
