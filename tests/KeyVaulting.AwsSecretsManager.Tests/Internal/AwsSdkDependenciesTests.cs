namespace KeyVaulting.AwsSecretsManager.Tests.Internal;

/// <summary>
/// AWSSDK.Core creates the STS, SSO and SSO OIDC clients of web identity, assume-role and IAM Identity Center
/// credentials by name, through reflection: the assemblies must come with KeyVaulting.AwsSecretsManager.
/// </summary>
public sealed class AwsSdkDependenciesTests
{
    [Theory]
    [InlineData("Amazon.SecurityToken.AmazonSecurityTokenServiceClient, AWSSDK.SecurityToken")]
    [InlineData("Amazon.SecurityToken.AmazonSecurityTokenServiceConfig, AWSSDK.SecurityToken")]
    [InlineData("Amazon.SSO.AmazonSSOClient, AWSSDK.SSO")]
    [InlineData("Amazon.SSOOIDC.AmazonSSOOIDCClient, AWSSDK.SSOOIDC")]
    public void GetType_ClientAwsSdkCoreLoadsByName_IsFound(string assemblyQualifiedName)
    {
        var type = Type.GetType(assemblyQualifiedName, throwOnError: false);

        type.Should().NotBeNull("AWSSDK.Core loads {0} by name for the credentials of the default chain and of profiles", assemblyQualifiedName);
        type!.Assembly.GetName().Version!.Major.Should().Be(typeof(Amazon.Runtime.AWSCredentials).Assembly.GetName().Version!.Major, "the service packages must match AWSSDK.Core's major version");
    }
}
