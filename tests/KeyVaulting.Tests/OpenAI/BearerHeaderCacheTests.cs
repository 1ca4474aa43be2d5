using KeyVaulting.OpenAIClients.Internal;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>The Authorization header value is built once per key, not once per request.</summary>
public class BearerHeaderCacheTests
{
    [Fact]
    public void Get_SameKeyInstance_ReturnsTheSameString()
    {
        var cache = new BearerHeaderCache();
        var key = new OpenAIKey(TestKeys.Project('A'), "Test:source");

        var first = cache.Get(key);
        var second = cache.Get(key);

        first.Should().Be("Bearer " + key.Value);
        second.Should().BeSameAs(first);
    }

    [Fact]
    public void Get_SameKeyRepeatedly_AllocatesNothing()
    {
        var cache = new BearerHeaderCache();
        var key = new OpenAIKey(TestKeys.Project('A'), "Test:source");
        cache.Get(key);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            cache.Get(key);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Get_RotatedKey_ReturnsTheNewKeysHeader()
    {
        var cache = new BearerHeaderCache();
        cache.Get(new OpenAIKey(TestKeys.Project('A'), "Test:source"));
        var rotated = new OpenAIKey(TestKeys.Project('B'), "Test:source");

        cache.Get(rotated).Should().Be("Bearer " + rotated.Value);
    }
}
