// The factories configuration selects by Type ("Type": "HashiCorpVault"), declared for KeyVaulting without a by-name lookup, so
// that a trimmed or native AOT application keeps and finds them. The package's buildTransitive targets add
// [assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.HashiCorpVault.HashiCorpVaultKeySourceOptions))] to the application, which
// points KeyVaulting here (docs/architecture.md, "How configuration finds a store").
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.HashiCorpVault.HashiCorpVaultKeySourceFactory))]
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.HashiCorpVault.HashiCorpVaultRotationTargetFactory))]
