using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Amazon.Runtime;
using Azure.Identity;
using KeyVaulting.AwsSecretsManager;
using KeyVaulting.AzureKeyVault;
using KeyVaulting.HashiCorpVault;
using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// <c>ToString()</c> of every public type of the four packages that can be constructed (with its public
/// parameterless constructor, holding sentinel credentials where it can hold any), and of the key, the source result
/// and the exceptions built explicitly around a sentinel key, never shows a secret.
/// </summary>
public sealed class PublicTypeToStringTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(OpenAIKey).Assembly,
        typeof(AzureKeyVaultKeySourceOptions).Assembly,
        typeof(AwsSecretsManagerKeySourceOptions).Assembly,
        typeof(HashiCorpVaultKeySourceOptions).Assembly,
    ];

    /// <summary>Public types built explicitly by <see cref="ToString_KeyResultAndExceptionsAroundASentinelKey_ShowNoSecret"/>, or that hold nothing.</summary>
    private static readonly HashSet<Type> BuiltExplicitly =
    [
        typeof(OpenAIKey),
        typeof(OpenAIKeySourceResult),
        typeof(OpenAIKeySourceFactoryContext),
        typeof(OpenAIKeyStoreAttribute), // holds a Type only: nothing secret can be put in it
    ];

    [Fact]
    public void ToString_EveryConstructiblePublicType_ShowsNoSecret()
    {
        var sentinels = new[] { Sentinel.Key(), Sentinel.Of("Vault token", "test-token-"), Sentinel.Of("AWS secret access key", string.Empty, 40), Sentinel.Of("AWS session token", "test-session-", 64), Sentinel.Of("Azure client secret", "test-client-secret-") };
        var constructed = new List<Type>();

        foreach (var type in Packages.SelectMany(a => a.GetExportedTypes()).Where(t => !t.IsAbstract && !t.IsInterface && !t.IsEnum && !t.ContainsGenericParameters))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                continue;
            }

            var instance = Activator.CreateInstance(type)!;
            HoldSecrets(instance, sentinels);
            var text = instance.ToString();
            foreach (var sentinel in sentinels)
            {
                sentinel.IsIn(text).Should().BeFalse("{0}.ToString() must not show the {1}", type.Name, sentinel.Kind);
                sentinel.IsIn(DebuggerDisplayOf(instance)).Should().BeFalse("{0}'s debugger display must not show the {1}", type.Name, sentinel.Kind);
            }

            constructed.Add(type);
        }

        constructed.Should().Contain([
            typeof(OpenAIKeyProviderOptions), typeof(OpenAIClientSettings), typeof(DotEnvFileKeySourceOptions),
            typeof(OpenAIKeySourceException), typeof(OpenAIKeyUnavailableException),
            typeof(AzureKeyVaultKeySourceOptions), typeof(AwsSecretsManagerKeySourceOptions), typeof(HashiCorpVaultKeySourceOptions),
        ]);
    }

    [Fact]
    public void ExportedTypes_EachIsConstructedByThisSuiteOrHoldsNoState_NoneIsForgotten()
    {
        // A new public type must be added to a ToString test (or be static, abstract, an interface or an enum).
        var forgotten = Packages.SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsInterface && !t.IsEnum && !(t.IsAbstract && t.IsSealed))
            .Where(t => t.GetConstructor(Type.EmptyTypes) is null && !BuiltExplicitly.Contains(t))
            .Select(t => t.FullName)
            .ToList();

        forgotten.Should().BeEmpty();
    }

    [Fact]
    public void ToString_KeyResultAndExceptionsAroundASentinelKey_ShowNoSecret()
    {
        var key = Sentinel.Key();
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var openAIKey = new OpenAIKey(key.Value, "AzureKeyVault:openai-api-key", "4387e9f3d6e14c459867679a90fd0f79", now, now.AddDays(30));
        var sourceFailure = new OpenAIKeySourceException("AzureKeyVault:openai-api-key", "The store is down.", isTransient: true, TimeSpan.FromSeconds(30), new HttpRequestException("Connection refused"));
        var invalidValue = Record.Exception(() => new OpenAIKey(key.Value[..20] + " " + key.Value[20..], "Memory:test"));
        var controlValue = Record.Exception(() => new OpenAIKey(key.Value + "\0", "Memory:test"));
        var texts = new Dictionary<string, string?>
        {
            ["OpenAIKey.ToString()"] = openAIKey.ToString(),
            ["OpenAIKey debugger display"] = DebuggerDisplayOf(openAIKey),
            ["OpenAIKey as JSON"] = JsonSerializer.Serialize(openAIKey),
            ["OpenAIKey.Fingerprint"] = openAIKey.Fingerprint,
            ["OpenAIKeySourceResult.ToString()"] = OpenAIKeySourceResult.Found(key.Value, "v1", now).ToString(),
            ["OpenAIKeySourceException.ToString()"] = sourceFailure.ToString(),
            ["OpenAIKeyUnavailableException.ToString()"] = new OpenAIKeyUnavailableException("No key.", sourceFailure).ToString(),
            ["OpenAIKey(value with a space) exception"] = invalidValue?.ToString(),
            ["OpenAIKey(value with NUL) exception"] = controlValue?.ToString(),
            ["OpenAIKeySourceFactoryContext.ToString()"] = new OpenAIKeySourceFactoryContext().ToString(),
        };

        invalidValue.Should().BeOfType<ArgumentException>();
        controlValue.Should().BeOfType<ArgumentException>();
        openAIKey.Fingerprint.Should().Be("sk-proj-…" + key.Value[^4..]);
        foreach (var (what, text) in texts)
        {
            key.IsIn(text).Should().BeFalse("{0} must not show the key: {1}", what, text);
        }
    }

    [Fact]
    public async Task ToString_ProviderAndBuilderOfEveryStore_ShowNoSecret()
    {
        var texts = new List<string?>();
        var sentinels = new List<Sentinel>();
        foreach (var name in Stores.All)
        {
            await using var store = await Stores.StartAsync(name);
            await using var world = StoreWorld.Create(store);
            var key = await world.GetKeyAsync();
            texts.Add(key.ToString());
            texts.Add(world.Provider.ToString());
            texts.Add(DebuggerDisplayOf(world.Provider));
            texts.Add(new ServiceCollection().AddOpenAIKeyProvider().ToString());
            sentinels.AddRange(store.Sentinels);
        }

        foreach (var text in texts)
        {
            foreach (var sentinel in sentinels)
            {
                sentinel.IsIn(text).Should().BeFalse("{0} must not show the {1}", text, sentinel.Kind);
            }
        }
    }

    /// <summary>Puts sentinel credentials in the options that can hold credentials.</summary>
    private static void HoldSecrets(object instance, Sentinel[] sentinels)
    {
        switch (instance)
        {
            case HashiCorpVaultKeySourceOptions vault:
                vault.UseToken(sentinels[1].Value);
                break;
            case AwsSecretsManagerKeySourceOptions aws:
                aws.Credentials = new SessionAWSCredentials("TESTKEYID0000000", sentinels[2].Value, sentinels[3].Value);
                break;
            case AzureKeyVaultKeySourceOptions azure:
                azure.Credential = new ClientSecretCredential(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), sentinels[4].Value);
                break;
        }
    }

    /// <summary>Evaluates a <see cref="DebuggerDisplayAttribute"/> of the form <c>{ToString(),nq}</c>, or returns null.</summary>
    private static string? DebuggerDisplayOf(object instance)
    {
        var display = instance.GetType().GetCustomAttribute<DebuggerDisplayAttribute>()?.Value;
        return display switch
        {
            null => null,
            "{ToString(),nq}" => instance.ToString(),
            _ => throw new NotSupportedException($"{instance.GetType().Name} has a debugger display this test cannot evaluate: {display}; extend the test."),
        };
    }
}
