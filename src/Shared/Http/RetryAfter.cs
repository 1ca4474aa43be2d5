using System.Globalization;

namespace KeyVaulting.Shared;

/// <summary>
/// Reads how long a store asked callers to wait, from whichever header it uses: <c>retry-after-ms</c> or
/// <c>x-ms-retry-after-ms</c> (Azure), then <c>Retry-After</c> as delta-seconds or an HTTP-date (RFC 9110, section
/// 10.2.3), measured on the application's clock. The one parser of the store packages, compiled in from src/Shared.
/// </summary>
internal static class RetryAfter
{
    private static readonly string[] MillisecondHeaders = ["retry-after-ms", "x-ms-retry-after-ms"];

    /// <summary>Returns the wait, zero for a date in the past, or <see langword="null"/> when no header says.</summary>
    /// <param name="header">Returns the value of a header by name, or <see langword="null"/>.</param>
    /// <param name="now">The application's current time, for an HTTP-date.</param>
    public static TimeSpan? Parse(Func<string, string?> header, DateTimeOffset now)
    {
        foreach (var name in MillisecondHeaders)
        {
            if (double.TryParse(header(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        var value = header("Retry-After")?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Reads the wait from an <see cref="HttpResponseMessage"/>'s headers.</summary>
    public static TimeSpan? Parse(HttpResponseMessage response, DateTimeOffset now)
        => Parse(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null, now);
}
