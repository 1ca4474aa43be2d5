using System.Collections.Concurrent;
using Azure.Core;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// A <see cref="TokenCredential"/> (Azure's abstraction) that hands out one generated token, records what it was
/// asked for, or fails like an Azure.Identity credential.
/// </summary>
internal sealed class TestCredential : TokenCredential
{
    public string Token { get; } = "test-token-" + Guid.NewGuid().ToString("N");

    public ConcurrentQueue<TokenRequestContext> Requests { get; } = new();

    /// <summary>Gets or sets the exception every token request throws, or <see langword="null"/> to succeed.</summary>
    public Exception? Failure { get; set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Requests.Enqueue(requestContext);
        if (Failure is { } failure)
        {
            throw failure;
        }

        return new AccessToken(Token, TimeProvider.System.GetUtcNow().AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => new(GetToken(requestContext, cancellationToken));
}
