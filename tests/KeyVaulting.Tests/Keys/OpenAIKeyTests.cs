using System.Text.Json;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Keys;

public class OpenAIKeyTests
{
    [Fact]
    public void ToString_ProjectKey_ShowsFingerprintNotValue()
    {
        var value = TestKeys.Project('Q');
        var key = new OpenAIKey(value, "Test:source", "v1");

        key.ToString().Should().Be("sk-proj-…QQQQ (Test:source, version v1)");
        key.ToString().Should().NotContain(value);
        key.Fingerprint.Should().Be("sk-proj-…QQQQ");
    }

    [Fact]
    public void JsonSerialization_Key_OmitsValue()
    {
        var value = TestKeys.Project();
        var json = JsonSerializer.Serialize(new OpenAIKey(value, "Test:source"));

        json.Should().NotContain(value);
        JsonDocument.Parse(json).RootElement.GetProperty("Fingerprint").GetString().Should().Be("sk-proj-…AAAA");
    }
}
