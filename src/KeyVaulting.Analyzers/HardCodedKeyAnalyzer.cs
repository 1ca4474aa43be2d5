using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KeyVaulting.Analyzers.Internal;
using KeyVaulting.KeyShapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace KeyVaulting.Analyzers;

/// <summary>
/// KV0001: a string literal, or a string constant built from literals (<c>"sk-proj-" + "…"</c>, a constant
/// interpolated string), holds an OpenAI API key. Values computed at run time (<c>"sk-proj-" + new string('A', 48)</c>)
/// are not constants and are not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HardCodedKeyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HardCodedKey);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // A key in generated code is in the assembly all the same.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(
            AnalyzeLeaf,
            SyntaxKind.StringLiteralExpression,
            SyntaxKind.Utf8StringLiteralExpression,
            SyntaxKind.InterpolatedStringText);
        context.RegisterSyntaxNodeAction(AnalyzeComposite, SyntaxKind.AddExpression, SyntaxKind.InterpolatedStringExpression);
    }

    private static void AnalyzeLeaf(SyntaxNodeAnalysisContext context)
    {
        var value = ConstantStringSyntax.LeafValue(context.Node);
        if (value is null || !OpenAIKeyShapes.MayContainKey(value))
        {
            return;
        }

        var matches = OpenAIKeyShapes.FindAll(value);
        if (matches.Count == 0 || ConstantStringSyntax.IsPartOfConstant(context.SemanticModel, context.Node, context.CancellationToken))
        {
            return;
        }

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var match in matches)
        {
            if (reported.Add(value.Substring(match.Index, match.Length)))
            {
                Report(context, KeyLocation(context.Node, match), match);
            }
        }
    }

    private static void AnalyzeComposite(SyntaxNodeAnalysisContext context)
    {
        var composite = (ExpressionSyntax)context.Node;
        var value = ConstantStringSyntax.ConstantValue(context.SemanticModel, composite, context.CancellationToken);
        if (value is null || ConstantStringSyntax.IsPartOfConstant(context.SemanticModel, composite, context.CancellationToken))
        {
            return;
        }

        // The whole value, and each literal on its own: "x" + "sk-proj-…" makes "xsk-proj-…", which is no token of its own.
        var keys = new Dictionary<string, OpenAIKeyMatch>(StringComparer.Ordinal);
        Collect(value, keys);
        foreach (var leaf in composite.DescendantNodes().Where(ConstantStringSyntax.IsLeaf))
        {
            Collect(ConstantStringSyntax.LeafValue(leaf), keys);
        }

        if (keys.Count == 0)
        {
            return;
        }

        // A key that a named constant holds whole is reported where that constant is declared.
        var named = NamedConstantValues(context, composite);
        foreach (var key in keys)
        {
            if (!named.Any(n => n.IndexOf(key.Key, StringComparison.Ordinal) >= 0))
            {
                Report(context, composite, key.Value);
            }
        }
    }

    private static void Collect(string? text, Dictionary<string, OpenAIKeyMatch> keys)
    {
        if (text is null || !OpenAIKeyShapes.MayContainKey(text))
        {
            return;
        }

        foreach (var match in OpenAIKeyShapes.FindAll(text))
        {
            var key = text.Substring(match.Index, match.Length);
            if (!keys.ContainsKey(key))
            {
                keys.Add(key, match);
            }
        }
    }

    private static List<string> NamedConstantValues(SyntaxNodeAnalysisContext context, ExpressionSyntax composite)
    {
        var values = new List<string>();
        foreach (var node in composite.DescendantNodes().OfType<ExpressionSyntax>())
        {
            if (node is not (IdentifierNameSyntax or MemberAccessExpressionSyntax))
            {
                continue;
            }

            var symbol = context.SemanticModel.GetSymbolInfo(node, context.CancellationToken).Symbol;
            if (symbol is IFieldSymbol { IsConst: true } or ILocalSymbol { IsConst: true }
                && ConstantStringSyntax.ConstantValue(context.SemanticModel, node, context.CancellationToken) is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>A literal is reported whole; in an interpolated string's text without escapes, the key itself is.</summary>
    private static Location KeyLocation(SyntaxNode leaf, OpenAIKeyMatch match)
    {
        if (leaf is InterpolatedStringTextSyntax text && text.TextToken.Text == text.TextToken.ValueText)
        {
            return Location.Create(leaf.SyntaxTree, new TextSpan(text.TextToken.SpanStart + match.Index, match.Length));
        }

        return leaf.GetLocation();
    }

    private static void Report(SyntaxNodeAnalysisContext context, SyntaxNode node, OpenAIKeyMatch match)
        => Report(context, node.GetLocation(), match);

    private static void Report(SyntaxNodeAnalysisContext context, Location location, OpenAIKeyMatch match)
        => context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.HardCodedKey,
            location,
            OpenAIKeyShapes.Describe(match.Kind),
            match.Fingerprint));
}
