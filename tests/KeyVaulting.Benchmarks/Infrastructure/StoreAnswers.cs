namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>The JSON bodies of a successful secret read, in each store's wire format, for the store fakes.</summary>
internal static class StoreAnswers
{
    /// <summary>AWS Secrets Manager's <c>GetSecretValue</c> answer (<c>application/x-amz-json-1.1</c>).</summary>
    public const string AwsContentType = "application/x-amz-json-1.1";

    /// <summary>AWS Secrets Manager's <c>GetSecretValue</c> answer, the key in <c>SecretString</c>.</summary>
    /// <param name="key">The secret's value.</param>
    /// <param name="version">The version number, mapped to a <c>VersionId</c>.</param>
    /// <returns>The JSON body.</returns>
    public static string AwsSecretsManager(string key, int version)
        => $$"""{"ARN":"arn:aws:secretsmanager:us-east-1:000000000000:secret:openai-AbCdEf","Name":"openai","SecretString":"{{key}}","VersionId":"00000000-0000-0000-0000-{{version:D12}}","VersionStages":["AWSCURRENT"],"CreatedDate":1.7E9}""";

    /// <summary>HashiCorp Vault's KV version 2 read answer, the key in <c>data.data.api_key</c>.</summary>
    /// <param name="key">The secret's value.</param>
    /// <param name="version">The KV version number.</param>
    /// <returns>The JSON body.</returns>
    public static string HashiCorpVault(string key, int version)
        => $$$"""{"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"api_key":"{{{key}}}"},"metadata":{"created_time":"2026-01-01T00:00:00Z","deletion_time":"","destroyed":false,"version":{{{version}}}}},"warnings":null}""";
}
