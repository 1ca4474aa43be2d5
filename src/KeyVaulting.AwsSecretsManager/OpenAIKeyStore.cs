// The factories configuration selects by Type ("Type": "AwsSecretsManager"), declared for KeyVaulting without a by-name lookup, so
// that a trimmed or native AOT application keeps and finds them. The package's buildTransitive targets add
// [assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AwsSecretsManager.AwsSecretsManagerKeySourceOptions))] to the application, which
// points KeyVaulting here (docs/architecture.md, "How configuration finds a store").
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AwsSecretsManager.AwsSecretsManagerKeySourceFactory))]
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AwsSecretsManager.AwsSecretsManagerRotationTargetFactory))]
