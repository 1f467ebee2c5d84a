using System.Globalization;

namespace MultiCodex.Control.Events;

/// <summary>How events write times and numbers: summaries for people, data values for machines.</summary>
public static class EventFormat
{
    /// <summary>For a summary: <c>2026-11-24 19:18:00 UTC</c>.</summary>
    public static string Clock(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>For a data value: RFC 3339 in UTC, <c>2026-11-24T19:18:00Z</c>.</summary>
    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>For a data value: a whole number in invariant digits.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
