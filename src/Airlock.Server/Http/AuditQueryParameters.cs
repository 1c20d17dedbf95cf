using System.Globalization;
using Airlock.Audit;
using Airlock.Client.Wire;
using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Http;

/// <summary>The filters of the audit routes, read by hand so that a bad value is a 400 naming the parameter and the fix.</summary>
internal static class AuditQueryParameters
{
    public const int MaxLimit = 10_000;

    public static AuditQuery Parse(HttpRequest request, DateTimeOffset now)
    {
        var outcome = Text(request, "outcome");
        if (outcome is not null && !AuditOutcomes.All.Contains(outcome))
        {
            throw AirlockException.Invalid($"query parameter 'outcome' must be one of {string.Join(", ", AuditOutcomes.All)}, not '{outcome}'");
        }

        return new AuditQuery
        {
            SandboxId = Text(request, "sandbox"),
            Kind = Text(request, "kind"),
            Actor = Text(request, "actor"),
            Outcome = outcome,
            AfterSequence = After(request),
            Since = Since(request, now),
            Limit = Limit(request),
            Newest = Query.Bool(request, "newest", fallback: false),
        };
    }

    private static string? Text(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (value.Length == 0) return null;
        return value.Length <= 256 ? value : throw AirlockException.Invalid($"query parameter '{name}' is longer than 256 characters");
    }

    private static long? After(HttpRequest request)
    {
        var text = request.Query["after"].ToString();
        if (text.Length == 0) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var after)
            ? after
            : throw AirlockException.Invalid($"query parameter 'after' must be a record's sequence number (a whole number, 0 or more), not '{text}'");
    }

    private static DateTimeOffset? Since(HttpRequest request, DateTimeOffset now)
    {
        var text = request.Query["since"].ToString();
        if (text.Length == 0) return null;
        return AuditSinceFilter.TryParse(text, now, out var since, out var error)
            ? since
            : throw AirlockException.Invalid($"query parameter 'since': {error}");
    }

    private static int Limit(HttpRequest request)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0) return 1000;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is > 0 and <= MaxLimit
            ? limit
            : throw AirlockException.Invalid($"query parameter 'limit' must be a whole number from 1 to {MaxLimit}, not '{text}'");
    }
}
