using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.SemanticKernel;

namespace KeyVaulting.Samples.AspNet;

/// <summary>
/// <c>POST /kernel</c>: the same question as <c>POST /chat</c>, asked through a Semantic Kernel <see cref="Kernel"/>
/// whose OpenAI connector uses the <c>OpenAIClient</c> from <c>AddOpenAIClient</c>, so it carries the current key and
/// recovers from a revoked one exactly as the chat pipeline does.
/// </summary>
internal static class KernelEndpoint
{
    public static async Task<Results<Ok<ChatResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        ChatRequest request, Kernel kernel, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["message"] = ["Write a message."] });
        }

        try
        {
            var result = await kernel.InvokePromptAsync(request.Message, cancellationToken: cancellationToken);
            return TypedResults.Ok(new ChatResponse(result.ToString()));
        }
        catch (OpenAIKeyUnavailableException)
        {
            return TypedResults.Problem("No OpenAI key is available right now.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (HttpOperationException ex) when (ex.StatusCode is { } status)
        {
            // Semantic Kernel wraps the OpenAI client's ClientResultException; its message is not shown.
            return TypedResults.Problem($"OpenAI answered {(int)status}.", statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
