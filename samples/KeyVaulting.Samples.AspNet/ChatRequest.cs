namespace KeyVaulting.Samples.AspNet;

/// <summary>The body of <c>POST /chat</c>: <c>{ "message": "…" }</c>.</summary>
/// <param name="Message">What the user asks.</param>
public sealed record ChatRequest(string? Message);

/// <summary>The answer of <c>POST /chat</c>: <c>{ "answer": "…" }</c>.</summary>
/// <param name="Answer">The model's reply.</param>
public sealed record ChatResponse(string Answer);
