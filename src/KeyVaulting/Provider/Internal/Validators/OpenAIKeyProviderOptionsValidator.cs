using Microsoft.Extensions.Options;

namespace KeyVaulting.Provider.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="OpenAIKeyProviderOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class OpenAIKeyProviderOptionsValidator : IValidateOptions<OpenAIKeyProviderOptions>
{
}
