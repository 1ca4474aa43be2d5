using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyVaulting.Samples.AspNet;

/// <summary>
/// Writes a health report as JSON: the overall status, then each check's status, description and data. The OpenAI key
/// check's data holds its source, fingerprint, version and age; never the key.
/// </summary>
internal static class HealthReportJson
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new
        {
            status = report.Status.ToString(),
            entries = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    description = entry.Value.Description,
                    data = entry.Value.Data,
                }),
        };
        return context.Response.WriteAsJsonAsync(body, context.RequestAborted);
    }
}
