extern alias AspNetSample;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>
/// Starts the ASP.NET sample in memory in one environment, with its own appsettings files plus the test's overrides,
/// and with logs captured by a fake logger (<c>Services.GetFakeLogCollector()</c>).
/// </summary>
internal sealed class AspNetSampleFactory(string environment, IReadOnlyDictionary<string, string?> overrides) : WebApplicationFactory<AspNetSample::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(overrides));
        builder.ConfigureLogging(logging => logging.ClearProviders().AddFakeLogging());
    }
}
