using KeyVaulting.HashiCorpVault.Internal.Auth;
using KeyVaulting.HashiCorpVault.Internal.Http;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>What talks to Vault for one set of options: the resolved settings, the client and the token manager.</summary>
internal sealed record VaultConnection(VaultSourceSettings Settings, VaultClient Client, VaultTokenManager Tokens, TimeProvider Time, ILogger Logger);
