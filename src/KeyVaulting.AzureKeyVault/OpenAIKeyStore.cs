// The factories configuration selects by Type ("Type": "AzureKeyVault"), declared for KeyVaulting without a by-name lookup, so
// that a trimmed or native AOT application keeps and finds them. The package's buildTransitive targets add
// [assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AzureKeyVault.AzureKeyVaultKeySourceOptions))] to the application, which
// points KeyVaulting here (docs/architecture.md, "How configuration finds a store").
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AzureKeyVault.AzureKeyVaultKeySourceFactory))]
[assembly: KeyVaulting.OpenAIKeyStore(typeof(KeyVaulting.AzureKeyVault.AzureKeyVaultRotationTargetFactory))]
