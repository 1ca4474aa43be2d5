using Microsoft.Extensions.Options;

namespace KeyVaulting.Rotation.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="OpenAIKeyRotationOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class OpenAIKeyRotationOptionsValidator : IValidateOptions<OpenAIKeyRotationOptions>
{
}
