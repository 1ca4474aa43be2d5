using System.Linq;
using System.Threading;
using KeyVaulting.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace KeyVaulting.Analyzers.Internal;

/// <summary>
/// A dependency-injection registration of an OpenAI client built with a constant key, and the KeyVaulting
/// registration that replaces it:
/// <c>services.AddSingleton(new OpenAIClient("…"))</c> → <c>services.AddOpenAIClient()</c>,
/// <c>services.AddSingleton(sp => new ChatClient(model, "…"))</c> → <c>services.AddOpenAIChatClient(model)</c>,
/// and the same for <c>EmbeddingClient</c>. Found only when the replacement is exact: a non-keyed registration whose
/// service type is the client's type, a client built from a model and a key alone (no options: they may name another
/// endpoint), a model that does not depend on the service provider, and, for the chat and embedding clients (whose
/// replacements return a builder), a registration whose value is not used.
/// </summary>
internal sealed class ClientRegistration
{
    private static readonly string[] RegistrationMethods =
        { "AddSingleton", "AddScoped", "AddTransient", "TryAddSingleton", "TryAddScoped", "TryAddTransient" };

    private ClientRegistration(InvocationExpressionSyntax registration, ExpressionSyntax services, string method, ExpressionSyntax? model)
    {
        Registration = registration;
        Services = services;
        Method = method;
        Model = model;
    }

    /// <summary>Gets the registration call to replace.</summary>
    public InvocationExpressionSyntax Registration { get; }

    /// <summary>Gets the expression of the service collection, for example <c>builder.Services</c>.</summary>
    public ExpressionSyntax Services { get; }

    /// <summary>Gets the KeyVaulting method that replaces it: <c>AddOpenAIClient</c>, <c>AddOpenAIChatClient</c> or <c>AddOpenAIEmbeddingClient</c>.</summary>
    public string Method { get; }

    /// <summary>Gets the model argument the replacement takes, or <see langword="null"/> for <c>AddOpenAIClient()</c>.</summary>
    public ExpressionSyntax? Model { get; }

    /// <summary>Finds the registration around the constant key <paramref name="keyArgument"/>, when there is an exact replacement.</summary>
    public static ClientRegistration? Find(SemanticModel model, ExpressionSyntax keyArgument, CancellationToken cancellationToken)
    {
        if (model.GetOperation(keyArgument, cancellationToken)?.Parent is not IArgumentOperation { Parent: IObjectCreationOperation creation })
        {
            return null;
        }

        // new OpenAIClient(new ApiKeyCredential("…")): the credential is an argument of the client.
        if (creation.Type?.ToDisplayString() == OpenAIKeyParameters.ApiKeyCredentialTypeName)
        {
            if (Unwrap(creation.Parent) is not IArgumentOperation { Parent: IObjectCreationOperation client })
            {
                return null;
            }

            creation = client;
        }

        if (creation.Type is not INamedTypeSymbol clientType
            || clientType.ContainingAssembly?.Name != OpenAIKeyParameters.OpenAIAssemblyName
            || !TryMapClient(creation, out var method, out var modelArgument))
        {
            return null;
        }

        var (invocation, lambda) = FindRegistrationCall(creation);
        if (invocation is null
            || invocation.Syntax is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } syntax
            || !IsRegistrationMethod(invocation.TargetMethod, clientType)
            || (lambda is not null && modelArgument is not null && UsesParameters(modelArgument, lambda)))
        {
            return null;
        }

        // AddOpenAIChatClient and AddOpenAIEmbeddingClient return a Microsoft.Extensions.AI builder, not the service
        // collection: they replace a registration only where its value is not used (returned, assigned or chained on).
        if (method != "AddOpenAIClient" && Unwrap(invocation.Parent) is not IExpressionStatementOperation)
        {
            return null;
        }

        return new ClientRegistration(syntax, access.Expression, method, (ExpressionSyntax?)modelArgument?.Syntax);
    }

    private static bool TryMapClient(IObjectCreationOperation creation, out string method, out IOperation? model)
    {
        method = string.Empty;
        model = null;
        var constructor = creation.Constructor;
        if (constructor is null || creation.Initializer is not null)
        {
            return false;
        }

        var names = constructor.Parameters.Select(p => p.Name).ToArray();
        switch (constructor.ContainingType.ToDisplayString())
        {
            case "OpenAI.OpenAIClient" when names.Length == 1:
                method = "AddOpenAIClient";
                return true;
            case "OpenAI.Chat.ChatClient" when names.Length == 2 && names[0] == "model":
                method = "AddOpenAIChatClient";
                break;
            case "OpenAI.Embeddings.EmbeddingClient" when names.Length == 2 && names[0] == "model":
                method = "AddOpenAIEmbeddingClient";
                break;
            default:
                return false;
        }

        model = creation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
        return model is not null && model.Syntax is ExpressionSyntax;
    }

    private static (IInvocationOperation? Invocation, IAnonymousFunctionOperation? Lambda) FindRegistrationCall(IOperation creation)
    {
        var parent = Unwrap(creation.Parent);

        // sp => new OpenAIClient("…"), or a block body that only returns it.
        IAnonymousFunctionOperation? lambda = null;
        if (parent is IReturnOperation { Parent: IBlockOperation { Parent: IAnonymousFunctionOperation function } block }
            && block.Operations.Length == 1)
        {
            lambda = function;
            parent = Unwrap(function.Parent);
        }

        return parent is IArgumentOperation { Parent: IInvocationOperation invocation } ? (invocation, lambda) : (null, null);
    }

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation or IDelegateCreationOperation or IParenthesizedOperation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    private static bool IsRegistrationMethod(IMethodSymbol method, INamedTypeSymbol clientType)
    {
        var ns = method.ContainingNamespace?.ToDisplayString();
        return RegistrationMethods.Contains(method.Name)
            && (ns == "Microsoft.Extensions.DependencyInjection" || ns == "Microsoft.Extensions.DependencyInjection.Extensions")
            && method.IsExtensionMethod
            && method.TypeArguments.Length >= 1
            && SymbolEqualityComparer.Default.Equals(method.TypeArguments[0], clientType);
    }

    private static bool UsesParameters(IOperation model, IAnonymousFunctionOperation lambda)
        => model.DescendantsAndSelf().OfType<IParameterReferenceOperation>()
            .Any(p => lambda.Symbol.Parameters.Contains(p.Parameter, SymbolEqualityComparer.Default));
}
