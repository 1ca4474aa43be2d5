namespace KeyVaulting.KeyShapes;

/// <summary>The kinds of OpenAI API key, told apart by their prefix.</summary>
internal enum OpenAIKeyKind
{
    /// <summary>A project key, <c>sk-proj-…</c>: the kind the OpenAI guides recommend for an application.</summary>
    Project,

    /// <summary>A service account's key, <c>sk-svcacct-…</c>.</summary>
    ServiceAccount,

    /// <summary>An Admin API key, <c>sk-admin-…</c>: it manages the organization and never belongs in an application.</summary>
    Admin,

    /// <summary>An older user key: <c>sk-</c> and a random body with <c>T3BlbkFJ</c> inside.</summary>
    User,
}
