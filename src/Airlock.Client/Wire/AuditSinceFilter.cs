using System.Globalization;

namespace Airlock.Client.Wire;

/// <summary>The <c>since</c> of audit queries: a duration back from now (<c>10m</c>, <c>2h</c>) or an ISO 8601 time.</summary>
internal static class AuditSinceFilter
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset since, out string error)
    {
        error = "";
        if (Units.TryParseDuration(text, out var back, out _))
        {
            since = now - back;
            return true;
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since))
        {
            return true;
        }

        since = default;
        error = $"'{text}' is neither a duration like 10m or 2h nor an ISO 8601 time like 2026-01-31T12:00:00Z";
        return false;
    }
}
