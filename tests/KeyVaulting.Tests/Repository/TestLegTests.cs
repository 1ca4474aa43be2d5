using System.Reflection;
using System.Runtime.Versioning;

namespace KeyVaulting.Tests.Repository;

/// <summary>
/// The library tests run twice: against the net10.0 build and against the net8.0 build of every package. These pin
/// that each leg really runs the build and the runtime it says, so a green net8.0 leg means the shipped net8.0
/// assemblies work on .NET 8.
/// </summary>
public sealed class TestLegTests
{
    [Fact]
    public void LibraryUnderTest_IsTheBuildOfThisLegsFramework()
    {
        var leg = typeof(TestLegTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        var library = typeof(IOpenAIKeyProvider).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;

        library.Should().Be(leg);
    }

    [Fact]
    public void Runtime_IsTheRuntimeOfThisLegsFramework()
    {
        var leg = new FrameworkName(typeof(TestLegTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName);

        Environment.Version.Major.Should().Be(leg.Version.Major, "the net8.0 leg runs self-contained on .NET 8, the net10.0 leg on .NET 10");
    }
}
