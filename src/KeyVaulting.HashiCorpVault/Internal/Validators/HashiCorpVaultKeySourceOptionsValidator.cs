using Microsoft.Extensions.Options;

namespace KeyVaulting.HashiCorpVault.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="HashiCorpVaultKeySourceOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class HashiCorpVaultKeySourceOptionsValidator : IValidateOptions<HashiCorpVaultKeySourceOptions>
{
}
