using Amazon.Runtime;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>The credentials object that answered (to clear it after an expired token) and the values it gave.</summary>
internal readonly record struct ResolvedAwsCredentials(AWSCredentials Source, SigV4Credentials Values);
