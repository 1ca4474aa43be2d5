using Amazon.Runtime;
using KeyVaulting.AwsSecretsManager.Internal;
using KeyVaulting.AwsSecretsManager.Tests.TestInfrastructure;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsRegionResolverTests : IDisposable
{
    private readonly EnvironmentScope _environment = new();

    public AwsRegionResolverTests() => FallbackRegionFactory.Reset();

    public void Dispose()
    {
        _environment.Dispose();
        FallbackRegionFactory.Reset();
    }

    [Fact]
    public void Resolve_RegionSetting_WinsOverTheEnvironment()
    {
        _environment.Set("AWS_REGION", "eu-west-1");

        AwsRegionResolver.Resolve("ap-south-1", profile: null).Should().Be(("ap-south-1", "setting Region"));
    }

    [Fact]
    public void Resolve_ProfileWithRegion_UsesTheProfilesRegion()
    {
        _environment.Set("AWS_REGION", "eu-west-1");
        _environment.WriteSharedConfig("[profile app]\nregion = ca-central-1\n");

        AwsRegionResolver.Resolve(configured: null, "app").Should().Be(("ca-central-1", "profile 'app'"));
    }

    [Fact]
    public void Resolve_AwsRegionVariable_IsUsed()
    {
        _environment.Set("AWS_REGION", "eu-west-1").Set("AWS_DEFAULT_REGION", "eu-west-2");

        AwsRegionResolver.Resolve(configured: null, profile: null).Should().Be(("eu-west-1", "environment variable AWS_REGION"));
    }

    [Fact]
    public void Resolve_OnlyAwsDefaultRegionVariable_IsUsed()
    {
        _environment.Set("AWS_DEFAULT_REGION", "eu-west-2");

        AwsRegionResolver.Resolve(configured: null, profile: null).Should().Be(("eu-west-2", "environment variable AWS_DEFAULT_REGION"));
    }

    [Fact]
    public void Resolve_DefaultProfileOfTheSharedConfigFile_IsUsedThroughTheAwsSdk()
    {
        _environment.WriteSharedConfig("[default]\nregion = ap-southeast-2\n");

        var resolved = AwsRegionResolver.Resolve(configured: null, profile: null);

        resolved!.Value.Region.Should().Be("ap-southeast-2");
        resolved.Value.Origin.Should().Contain("AWS SDK");
    }

    [Fact]
    public void Resolve_NoRegionAnywhere_ReturnsNull()
        => AwsRegionResolver.Resolve(configured: null, profile: null).Should().BeNull();
}
