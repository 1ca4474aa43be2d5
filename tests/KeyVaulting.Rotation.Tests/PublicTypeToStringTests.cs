using KeyVaulting.Testing;

namespace KeyVaulting.Rotation.Tests;

/// <summary>The rotation types that can hold a key, or describe one, never show it.</summary>
public sealed class PublicTypeToStringTests
{
    [Fact]
    public void ToString_StateWithAStagedKey_ShowsItsFingerprintOnly()
    {
        var value = TestKeys.Numbered(42);
        var pending = new OpenAIKeyRotationPending
        {
            RotationId = Guid.NewGuid().ToString(),
            StartedAt = DateTimeOffset.UnixEpoch,
            Key = new OpenAIKey(value, "Memory:test"),
            Record = new OpenAIKeyRecord { KeyId = "key_abc", ServiceAccountId = "svc_acct_abc" },
        };
        var state = new OpenAIKeyRotationState { Version = "7", Current = new OpenAIKeyRecord { KeyId = "key_old" }, Pending = pending };

        var texts = new[] { pending.ToString(), state.ToString(), pending.Record.ToString() };

        var tail = value[^12..];
        texts.Should().NotContain(t => t.Contains(value, StringComparison.Ordinal) || t.Contains(tail, StringComparison.Ordinal));
        pending.ToString().Should().Contain(pending.Key.Fingerprint).And.Contain("key_abc");
        state.ToString().Should().Contain("key_old");
    }

    [Fact]
    public void ToString_EveryConstructiblePublicTypeOfThePackage_Works()
    {
        var types = typeof(OpenAIKeyRotationOptions).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && !t.IsEnum && t.GetConstructor(Type.EmptyTypes) is not null)
            .ToList();

        types.Should().Contain([typeof(OpenAIKeyRotationOptions), typeof(OpenAIKeyRotationException)]);
        foreach (var type in types)
        {
            Activator.CreateInstance(type)!.ToString().Should().NotBeNull();
        }
    }
}
