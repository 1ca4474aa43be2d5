using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureKeyVault.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="AzureKeyVaultKeySourceOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class AzureKeyVaultKeySourceOptionsValidator : IValidateOptions<AzureKeyVaultKeySourceOptions>
{
}
