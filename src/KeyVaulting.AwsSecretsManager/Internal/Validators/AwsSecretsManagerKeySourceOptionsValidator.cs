using Microsoft.Extensions.Options;

namespace KeyVaulting.AwsSecretsManager.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="AwsSecretsManagerKeySourceOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class AwsSecretsManagerKeySourceOptionsValidator : IValidateOptions<AwsSecretsManagerKeySourceOptions>
{
}
