using System.ClientModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;

namespace KeyVaulting.Samples.AspNet;

/// <summary><c>POST /chat</c>: <c>{ "message": "…" }</c> in, <c>{ "answer": "…" }</c> out.</summary>
internal static class ChatEndpoint
{
    public static async Task<Results<Ok<ChatResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        ChatRequest request, IChatClient chat, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["message"] = ["Write a message."] });
        }

        try
        {
            // The key is not handled here at all: the client reads the current one, and after a 401 it re-reads the
            // store once and resends, so a key rotated or revoked meanwhile is picked up without a restart.
            var response = await chat.GetResponseAsync(request.Message, cancellationToken: cancellationToken);
            return TypedResults.Ok(new ChatResponse(response.Text));
        }
        catch (OpenAIKeyUnavailableException)
        {
            // No source has a key. The log and GET /health say which sources were tried and why.
            return TypedResults.Problem("No OpenAI key is available right now.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (ClientResultException ex) when (OpenAIErrors.GetQuotaKind(ex) == OpenAIQuotaKind.InsufficientQuota)
        {
            // Not transient: retrying cannot help until someone adds credits.
            return TypedResults.Problem("The OpenAI account has no credits left.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (ClientResultException ex) when (ex.Status == StatusCodes.Status429TooManyRequests)
        {
            return TypedResults.Problem("OpenAI is rate limiting this app; try again shortly.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        catch (ClientResultException ex) when (ex.Status > 0)
        {
            return TypedResults.Problem($"OpenAI answered {ex.Status}.", statusCode: StatusCodes.Status502BadGateway);
        }
        catch (Exception ex) when (ex is ClientResultException or AggregateException)
        {
            // No answer at all (network, DNS, timeout), after the client's retries.
            return TypedResults.Problem("OpenAI could not be reached.", statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
