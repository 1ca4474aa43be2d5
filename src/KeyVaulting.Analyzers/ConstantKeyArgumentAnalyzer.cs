using System.Collections.Immutable;
using KeyVaulting.Analyzers.Internal;
using KeyVaulting.KeyShapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace KeyVaulting.Analyzers;

/// <summary>
/// KV0002: a compile-time constant, key-shaped or not, is passed where the OpenAI SDK takes an API key
/// (<c>new ApiKeyCredential("…")</c>, <c>new OpenAIClient("…")</c>, <c>new ChatClient(model, "…")</c>, …). The
/// constructors are found by symbol, so aliases, named arguments and <c>const</c> fields are seen too.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConstantKeyArgumentAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ConstantKeyArgument);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var parameters = OpenAIKeyParameters.Create(start.Compilation);
            if (parameters is null)
            {
                return;
            }

            start.RegisterOperationAction(
                operation => AnalyzeArguments(operation, parameters, ((IObjectCreationOperation)operation.Operation).Arguments),
                OperationKind.ObjectCreation);
            start.RegisterOperationAction(
                operation => AnalyzeArguments(operation, parameters, ((IInvocationOperation)operation.Operation).Arguments),
                OperationKind.Invocation);
        });
    }

    private static void AnalyzeArguments(OperationAnalysisContext context, OpenAIKeyParameters parameters, ImmutableArray<IArgumentOperation> arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.Explicit
                || argument.Parameter is not { } parameter
                || !parameters.IsKeyParameter(parameter)
                || argument.Value.ConstantValue is not { HasValue: true, Value: string value })
            {
                continue;
            }

            var method = (IMethodSymbol)parameter.ContainingSymbol;
            var callee = method.MethodKind == MethodKind.Constructor
                ? "new " + method.ContainingType.Name + "(…)"
                : method.ContainingType.Name + "." + method.Name + "(…)";
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.ConstantKeyArgument,
                argument.Value.Syntax.GetLocation(),
                callee,
                OpenAIKeyShapes.Fingerprint(value)));
        }
    }
}
