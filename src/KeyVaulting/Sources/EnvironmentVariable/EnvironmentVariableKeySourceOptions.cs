using System.ComponentModel.DataAnnotations;

namespace KeyVaulting.Sources.EnvironmentVariable;

/// <summary>Options of the environment-variable key source (configuration <c>Type</c>: <c>EnvironmentVariable</c>).</summary>
internal sealed class EnvironmentVariableKeySourceOptions
{
    /// <summary>Gets or sets the name of the environment variable that holds the key. Default: <c>OPENAI_API_KEY</c>.</summary>
    [Required]
    public string Variable { get; set; } = "OPENAI_API_KEY";
}
