using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KeyVaulting.Analyzers.Internal;

/// <summary>
/// How string constants are built in C# syntax: leaves (a literal, the text between the holes of an interpolated string)
/// and composites (<c>a + b</c>, an interpolated string) whose value the compiler computes when every part is constant.
/// A key is reported once, on the outermost constant that holds it.
/// </summary>
internal static class ConstantStringSyntax
{
    /// <summary>Returns the text a leaf contributes: a literal's value, or an interpolated string's text part.</summary>
    public static string? LeafValue(SyntaxNode leaf) => leaf switch
    {
        LiteralExpressionSyntax literal => literal.Token.ValueText,
        InterpolatedStringTextSyntax text => text.TextToken.ValueText,
        _ => null,
    };

    /// <summary>Returns whether the node is a leaf: a string literal (UTF-16 or UTF-8) or an interpolated string's text.</summary>
    public static bool IsLeaf(SyntaxNode node)
        => node.IsKind(SyntaxKind.StringLiteralExpression)
           || node.IsKind(SyntaxKind.Utf8StringLiteralExpression)
           || node.IsKind(SyntaxKind.InterpolatedStringText);

    /// <summary>
    /// Returns the composite that directly contains <paramref name="node"/> as a part (through parentheses), or
    /// <see langword="null"/> when the node stands on its own.
    /// </summary>
    public static ExpressionSyntax? EnclosingComposite(SyntaxNode node)
    {
        if (node is InterpolatedStringTextSyntax)
        {
            return node.Parent as InterpolatedStringExpressionSyntax;
        }

        var parent = node.Parent;
        while (parent is ParenthesizedExpressionSyntax)
        {
            parent = parent.Parent;
        }

        return parent switch
        {
            BinaryExpressionSyntax add when add.IsKind(SyntaxKind.AddExpression) => add,
            InterpolationSyntax interpolation => interpolation.Parent as InterpolatedStringExpressionSyntax,
            _ => null,
        };
    }

    /// <summary>Returns the value of an expression when the compiler computes it as a string constant.</summary>
    public static string? ConstantValue(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var constant = model.GetConstantValue(expression, cancellationToken);
        return constant.HasValue ? constant.Value as string : null;
    }

    /// <summary>Returns whether <paramref name="node"/> is part of a larger string constant, which is checked instead.</summary>
    public static bool IsPartOfConstant(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        var composite = EnclosingComposite(node);
        return composite is not null && ConstantValue(model, composite, cancellationToken) is not null;
    }
}
