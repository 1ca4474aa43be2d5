using Microsoft.CodeAnalysis;

namespace KeyVaulting.Analyzers.Internal;

/// <summary>
/// Finds, by symbol, the parameters through which the OpenAI SDK takes an API key: <c>apiKey</c> of the clients in the
/// <c>OpenAI</c> assembly (<c>new OpenAIClient(apiKey)</c>, <c>new ChatClient(model, apiKey)</c>, …) and <c>key</c> of
/// <c>System.ClientModel.ApiKeyCredential</c> (its constructor and <c>Update</c>).
/// </summary>
internal sealed class OpenAIKeyParameters
{
    /// <summary>The assembly of the official OpenAI .NET client.</summary>
    public const string OpenAIAssemblyName = "OpenAI";

    /// <summary>The credential type that every OpenAI client accepts.</summary>
    public const string ApiKeyCredentialTypeName = "System.ClientModel.ApiKeyCredential";

    private readonly INamedTypeSymbol? _apiKeyCredential;

    private OpenAIKeyParameters(INamedTypeSymbol? apiKeyCredential) => _apiKeyCredential = apiKeyCredential;

    /// <summary>Returns the finder for a compilation, or <see langword="null"/> when it references no OpenAI client.</summary>
    public static OpenAIKeyParameters? Create(Compilation compilation)
    {
        var credential = compilation.GetTypeByMetadataName(ApiKeyCredentialTypeName);
        var referencesOpenAI = false;
        foreach (var assembly in compilation.ReferencedAssemblyNames)
        {
            if (assembly.Name == OpenAIAssemblyName)
            {
                referencesOpenAI = true;
                break;
            }
        }

        return credential is null && !referencesOpenAI ? null : new OpenAIKeyParameters(credential);
    }

    /// <summary>Returns whether <paramref name="parameter"/> is one through which the SDK takes an API key.</summary>
    public bool IsKeyParameter(IParameterSymbol parameter)
    {
        if (parameter.Type.SpecialType != SpecialType.System_String || parameter.ContainingSymbol is not IMethodSymbol method)
        {
            return false;
        }

        var type = method.ContainingType;
        if (_apiKeyCredential is not null && SymbolEqualityComparer.Default.Equals(type, _apiKeyCredential))
        {
            return parameter.Name == "key" && (method.MethodKind == MethodKind.Constructor || method.Name == "Update");
        }

        return parameter.Name == "apiKey" && type.ContainingAssembly?.Name == OpenAIAssemblyName;
    }
}
