using FluentAssertions;
using Microsoft.Extensions.Logging.Testing;

namespace KeyVaulting.Testing;

/// <summary>Asserts that no secret appears in logs, exceptions or any text a user could see.</summary>
public static class SecretAssertions
{
    /// <summary>Asserts that no captured log record mentions any of the secrets: message, state, scopes or exception.</summary>
    public static void ShouldNotContainSecrets(this FakeLogCollector logs, params string[] secrets)
    {
        foreach (var record in logs.GetSnapshot())
        {
            var texts = new List<string?> { record.Message, record.Exception?.ToString() };
            if (record.StructuredState is { } state)
            {
                texts.AddRange(state.Select(kv => kv.Value));
            }

            texts.AddRange(record.Scopes.Select(s => s?.ToString()));
            foreach (var text in texts)
            {
                foreach (var secret in secrets)
                {
                    (text ?? string.Empty).Should().NotContain(secret, "log record {0} ({1}) must not contain a secret", record.Id, record.Level);
                }
            }
        }
    }

    /// <summary>Asserts that an exception, its inner exceptions, <c>Data</c> and <c>ToString()</c> contain none of the secrets.</summary>
    public static void ShouldNotContainSecrets(this Exception exception, params string[] secrets)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            var texts = new List<string> { e.Message, e.ToString() };
            texts.AddRange(e.Data.Values.Cast<object?>().Select(v => v?.ToString() ?? string.Empty));
            foreach (var text in texts)
            {
                foreach (var secret in secrets)
                {
                    text.Should().NotContain(secret, "exception {0} must not contain a secret", e.GetType().Name);
                }
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    inner.ShouldNotContainSecrets(secrets);
                }
            }
        }
    }
}
