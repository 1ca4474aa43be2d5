using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using KeyVaulting.Analyzers.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace KeyVaulting.Analyzers;

/// <summary>
/// Fixes KV0002 where the client with the constant key is registered for dependency injection: the registration is
/// replaced by KeyVaulting's (<c>services.AddOpenAIClient()</c>, <c>AddOpenAIChatClient(model)</c> or
/// <c>AddOpenAIEmbeddingClient(model)</c>), which reads the key from the app's key provider on every request (by
/// default <c>OPENAI_API_KEY</c>, then a <c>.env</c> file). The constant goes with the old registration. Elsewhere there
/// is no one right place for the client to come from, and no fix is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ConstantKeyArgumentCodeFixProvider))]
[Shared]
public sealed class ConstantKeyArgumentCodeFixProvider : CodeFixProvider
{
    private const string ExtensionsTypeName = "Microsoft.Extensions.DependencyInjection.OpenAIClientServiceCollectionExtensions";
    private const string ExtensionsNamespace = "Microsoft.Extensions.DependencyInjection";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ConstantKeyArgument);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model?.Compilation.GetTypeByMetadataName(ExtensionsTypeName) is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax argument
                || ClientRegistration.Find(model, argument, context.CancellationToken) is not { } registration)
            {
                continue;
            }

            var call = registration.Model is null ? registration.Method + "()" : registration.Method + "(model)";
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Register with {call}: the key is read at run time",
                    cancellationToken => ReplaceAsync(context.Document, registration, cancellationToken),
                    equivalenceKey: registration.Method),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(Document document, ClientRegistration registration, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax?)await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        var arguments = registration.Model is null
            ? SyntaxFactory.ArgumentList()
            : SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(registration.Model.WithoutTrivia())));
        var replacement = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    registration.Services.WithoutTrivia(),
                    SyntaxFactory.IdentifierName(registration.Method)),
                arguments)
            .WithTriviaFrom(registration.Registration);

        var needsUsing = !IsImported(model, registration);
        var newRoot = root.ReplaceNode(registration.Registration, replacement);
        if (needsUsing)
        {
            newRoot = newRoot.AddUsings(SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(ExtensionsNamespace))
                .WithAdditionalAnnotations(Formatter.Annotation));
        }

        return document.WithSyntaxRoot(newRoot);
    }

    private static bool IsImported(SemanticModel model, ClientRegistration registration)
    {
        var services = model.GetTypeInfo(registration.Services).Type;
        return services is not null
            && !model.LookupSymbols(
                    registration.Registration.SpanStart,
                    services,
                    registration.Method,
                    includeReducedExtensionMethods: true).IsEmpty;
    }
}
