namespace KeyVaulting.Shared;

/// <summary>
/// How a store that KeyVaulting calls over HTTP is named in messages: the store (<c>Vault</c>, <c>Secrets
/// Manager</c>), the setting that holds its address, and what to check after a TLS failure or a redirect.
/// </summary>
/// <param name="Store">The store's name in messages, for example <c>Vault</c>.</param>
/// <param name="AddressSetting">The setting that holds its address, for example <c>Address (or VAULT_ADDR)</c>.</param>
/// <param name="TlsFix">What to check when the TLS connection cannot be established.</param>
/// <param name="RedirectFix">What to check when the store answers with a redirect.</param>
internal sealed record StoreEndpoint(string Store, string AddressSetting, string TlsFix, string RedirectFix);
