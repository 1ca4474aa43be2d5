using KeyVaulting.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Reliability.Tests.Payloads;

/// <summary>
/// What each store may hold instead of a clean key, read through the real source and the provider: JSON whose field
/// is null, a number, an object, duplicated or empty; empty and blank values; keys with line breaks, quotes,
/// <c>Bearer </c> or inner white space. Each is either served normalized (with a warning naming the source when
/// something was stripped) or refused with a message naming the source and the field, and never leaks the key.
/// </summary>
/// <remarks>
/// The store test projects already cover a missing field (AzureKeyVaultKeySourceTests.FetchAsync_JsonFieldNotUsable_…,
/// AwsSecretsManagerKeySourceTests.FetchAsync_JsonFieldMissing_…, HashiCorpVaultKeySourceTests.FetchAsync_FieldMissing_…),
/// a JSON object without a field configured, non-JSON with a field configured, AWS SecretBinary (UTF-8, JSON, not
/// UTF-8) and the normalizer itself with an in-memory source (OpenAIKeyNormalizationTests).
/// </remarks>
public sealed class StorePayloadTests
{
    private const int QuotesStripped = 6;
    private const int BearerPrefixStripped = 7;
    private const string Field = "apiKey";

    public static TheoryData<string, string, string> UnusableJsonFields()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var store in Stores.All)
        {
            data.Add(store, "{\"apiKey\": null, \"organization\": \"org-test\"}", "null");
            data.Add(store, "{\"apiKey\": 42}", "number");
            data.Add(store, "{\"apiKey\": {\"value\": \"KEY\"}}", "object");
            data.Add(store, "{\"apiKey\": \"\", \"backup\": \"KEY\"}", "empty");
            data.Add(store, "{\"apiKey\": \"KEY\", \"apiKey\": \"sk-proj-other\"}", "more than once");
        }

        return data;
    }

    public static TheoryData<string> StoreNames() => [.. Stores.All];

    public static TheoryData<string, string, string> UnusableValues()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var store in Stores.All)
        {
            data.Add(store, string.Empty, "empty");
            data.Add(store, " \r\n\t ", "empty");
            data.Add(store, "\"\"", "empty");
            data.Add(store, "Bearer ", "empty");
            data.Add(store, "sk-proj-\tKEY", "white space");
            data.Add(store, "KEY\nKEY", "white space");
        }

        return data;
    }

    public static TheoryData<string, string, int?> NormalizedValues()
    {
        var data = new TheoryData<string, string, int?>();
        foreach (var store in Stores.All)
        {
            data.Add(store, "KEY\r\n", null);
            data.Add(store, "  KEY  ", null);
            data.Add(store, "\"KEY\"", QuotesStripped);
            data.Add(store, "'KEY'\n", QuotesStripped);
            data.Add(store, "Bearer KEY", BearerPrefixStripped);
            data.Add(store, "\"Bearer KEY\"", BearerPrefixStripped);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UnusableJsonFields))]
    public async Task GetKeyAsync_JsonFieldNotAUsableString_RefusedNamingTheSourceAndTheField(string storeName, string json, string expected)
    {
        await using var store = await Stores.StartAsync(storeName, Field);
        store.SecretText = json.Replace("KEY", store.Key.Value, StringComparison.Ordinal);
        await using var world = StoreWorld.Create(store);

        var refused = await world.GetKeyFailsAsync();

        refused.Message.Should().Contain(store.SourceName).And.Contain(expected);
        if (expected != "empty")
        {
            refused.Message.Should().Contain($"'{Field}'");
        }

        world.Witness.ShouldNotHaveLeaked();
    }

    [Theory]
    [MemberData(nameof(UnusableValues))]
    public async Task GetKeyAsync_ValueEmptyOrWithInnerWhiteSpace_RefusedNamingTheSource(string storeName, string value, string expected)
    {
        await using var store = await Stores.StartAsync(storeName);
        store.SecretText = value.Replace("KEY", store.Key.Value, StringComparison.Ordinal);
        await using var world = StoreWorld.Create(store);

        var refused = await world.GetKeyFailsAsync();

        refused.Message.Should().Contain(store.SourceName).And.Contain(expected);
        world.Witness.ShouldNotHaveLeaked();
    }

    [Theory]
    [MemberData(nameof(StoreNames))]
    public async Task GetKeyAsync_StoreSecretBlankedWithAFallbackSourceAfterIt_RefusedInsteadOfServingTheFallbackKey(string storeName)
    {
        // Absence falls through the chain, failure does not: a blanked production secret must never switch the app
        // to the development key of the next source.
        await using var store = await Stores.StartAsync(storeName);
        var fallbackVariable = "KEYVAULTING_FALLBACK_" + Guid.NewGuid().ToString("N");
        var fallbackKey = Sentinel.Key();
        Environment.SetEnvironmentVariable(fallbackVariable, fallbackKey.Value);
        try
        {
            store.SecretText = " ";
            await using var world = StoreWorld.Create(store, services: s => s.AddOpenAIKeyProvider().AddEnvironmentVariable(fallbackVariable));

            var refused = await world.GetKeyFailsAsync();

            refused.Message.Should().Contain(store.SourceName).And.Contain("empty");
            world.Witness.ShouldNotHaveLeaked();
            world.Logs.GetSnapshot().Select(r => r.Message).Should().NotContain(m => m.Contains(fallbackKey.Value, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(fallbackVariable, null);
        }
    }

    [Theory]
    [MemberData(nameof(NormalizedValues))]
    public async Task GetKeyAsync_KeyWithLineBreaksQuotesOrBearer_ServedBareWithAWarningWhenSomethingWasStripped(string storeName, string value, int? warning)
    {
        await using var store = await Stores.StartAsync(storeName);
        store.SecretText = value.Replace("KEY", store.Key.Value, StringComparison.Ordinal);
        await using var world = StoreWorld.Create(store);

        var key = await world.GetKeyAsync();

        key.Value.Should().Be(store.Key.Value);
        var warnings = world.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).ToList();
        if (warning is { } id)
        {
            warnings.Should().ContainSingle(r => r.Id.Id == id).Which.Message.Should().Contain(store.SourceName).And.Contain("Store the bare key");
        }
        else
        {
            warnings.Should().BeEmpty("white space and line breaks around a key are trimmed silently");
        }

        world.Witness.ShouldNotHaveLeaked();
    }

    [Theory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, "KEY\n", null)]
    [InlineData(new byte[0], "Bearer KEY\r\n", BearerPrefixStripped)]
    [InlineData(new byte[0], "\"KEY\"", QuotesStripped)]
    public async Task GetKeyAsync_AwsSecretBinaryWithBomQuotesOrBearer_ServedBare(byte[] prefix, string text, int? warning)
    {
        await using var store = await SecretsManagerStore.StartAsync();
        store.SecretBinary = [.. prefix, .. System.Text.Encoding.UTF8.GetBytes(text.Replace("KEY", store.Key.Value, StringComparison.Ordinal))];
        await using var world = StoreWorld.Create(store);

        var key = await world.GetKeyAsync();

        key.Value.Should().Be(store.Key.Value);
        world.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => (int?)r.Id.Id).Should().BeEquivalentTo(warning is null ? [] : new[] { warning });
        world.Witness.ShouldNotHaveLeaked();
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 0x20, 0x0A }, "empty")]
    [InlineData(new byte[] { 0x73, 0x6B, 0x2D, 0x00, 0x41 }, "control character")]
    public async Task GetKeyAsync_AwsSecretBinaryEmptyOrWithControlCharacters_RefusedNamingTheSource(byte[] binary, string expected)
    {
        await using var store = await SecretsManagerStore.StartAsync();
        store.SecretBinary = binary;
        await using var world = StoreWorld.Create(store);

        var refused = await world.GetKeyFailsAsync();

        refused.Message.Should().Contain(store.SourceName).And.Contain(expected);
        world.Witness.ShouldNotHaveLeaked();
    }
}
