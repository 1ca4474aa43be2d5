using Microsoft.Extensions.Options;

namespace KeyVaulting.OpenAIClients.Internal.Validators;

/// <summary>Validates the DataAnnotations of <see cref="OpenAIClientSettings"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class OpenAIClientSettingsValidator : IValidateOptions<OpenAIClientSettings>
{
}
