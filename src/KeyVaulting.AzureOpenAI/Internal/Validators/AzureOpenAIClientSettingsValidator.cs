using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureOpenAI.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="AzureOpenAIClientSettings"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class AzureOpenAIClientSettingsValidator : IValidateOptions<AzureOpenAIClientSettings>
{
}
