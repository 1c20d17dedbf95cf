using Airlock.Core.Telemetry;
using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Telemetry;

/// <summary>
/// Counts every 401 the daemon answers in <c>airlock_failed_accesses_total</c>, whichever layer refused the
/// token. It sits outermost and only looks at the final status, so the auth middleware need not know about metrics;
/// an auth layer that knows more (an expired or revoked token) says so in <c>HttpContext.Items[KindItem]</c>.
/// </summary>
internal sealed class FailedAccessMiddleware(RequestDelegate next, AirlockMetrics metrics)
{
    /// <summary>The <see cref="HttpContext.Items"/> key for a <see cref="FailedAccessKinds"/> value.</summary>
    public const string KindItem = "airlock.failed-access-kind";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        finally
        {
            if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
            {
                metrics.RecordFailedAccess(context.Items[KindItem] as string
                    ?? (context.Request.Headers.Authorization.Count == 0 ? FailedAccessKinds.MissingToken : FailedAccessKinds.InvalidToken));
            }
        }
    }
}
