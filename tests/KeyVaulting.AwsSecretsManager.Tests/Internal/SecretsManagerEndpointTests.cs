using KeyVaulting.AwsSecretsManager.Internal;

namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

public sealed class SecretsManagerEndpointTests
{
    [Theory]
    [InlineData("us-west-2", "https://secretsmanager.us-west-2.amazonaws.com/")]
    [InlineData("eu-central-1", "https://secretsmanager.eu-central-1.amazonaws.com/")]
    [InlineData("cn-north-1", "https://secretsmanager.cn-north-1.amazonaws.com.cn/")]
    public void Create_Region_UsesTheRegionalEndpointOfItsPartition(string region, string expected)
    {
        var endpoint = SecretsManagerEndpoint.Create(configured: null, region, "setting Region");

        endpoint.Uri.Should().Be(new Uri(expected));
        endpoint.Region.Should().Be(region);
    }

    [Fact]
    public void Create_ServiceUrl_UsesItAndKeepsTheRegionForSigning()
    {
        var endpoint = SecretsManagerEndpoint.Create((new Uri("https://vpce-0abc.secretsmanager.eu-west-1.vpce.amazonaws.com"), "setting ServiceUrl"), "eu-west-1", "setting Region");

        endpoint.Uri.Should().Be(new Uri("https://vpce-0abc.secretsmanager.eu-west-1.vpce.amazonaws.com/"));
        endpoint.Region.Should().Be("eu-west-1");
    }
}
