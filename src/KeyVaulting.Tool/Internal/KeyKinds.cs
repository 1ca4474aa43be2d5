using KeyVaulting.KeyShapes;

namespace KeyVaulting.Tool.Internal;

/// <summary>Names the kind of a key the tool holds from its prefix, as the OpenAI dashboard does.</summary>
internal static class KeyKinds
{
    public const string Project = "project";
    public const string ServiceAccount = "service-account";
    public const string Admin = "admin";
    public const string User = "user";
    public const string Unknown = "unknown";

    /// <summary>Returns the kind of <paramref name="value"/>: <c>project</c>, <c>service-account</c>, <c>admin</c>, <c>user</c> (an older <c>sk-</c> key) or <c>unknown</c>.</summary>
    public static string Of(string value) => value switch
    {
        _ when value.StartsWith("sk-proj-", StringComparison.Ordinal) => Project,
        _ when value.StartsWith("sk-svcacct-", StringComparison.Ordinal) => ServiceAccount,
        _ when value.StartsWith("sk-admin-", StringComparison.Ordinal) => Admin,
        _ when value.StartsWith("sk-", StringComparison.Ordinal) => User,
        _ => Unknown,
    };

    /// <summary>Returns the name of a kind the key-shape rules recognized.</summary>
    public static string Of(OpenAIKeyKind kind) => kind switch
    {
        OpenAIKeyKind.Project => Project,
        OpenAIKeyKind.ServiceAccount => ServiceAccount,
        OpenAIKeyKind.Admin => Admin,
        _ => User,
    };

    /// <summary>Describes a kind for a person: <c>project key</c>, <c>service account key</c>, …</summary>
    public static string Describe(string kind) => kind switch
    {
        Project => "project key",
        ServiceAccount => "service account key",
        Admin => "admin key",
        User => "user key (legacy)",
        _ => "key of unknown kind",
    };
}
