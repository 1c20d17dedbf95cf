using Airlock.Core.Telemetry;
using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Telemetry;

/// <summary>
/// Counts every 401 the daemon answers in <c>airlock_failed_accesses_total</c>, whichever layer refused the
/// token. It sits outermost and only looks at the final status, so the auth middleware need not know about metrics.
/// </summary>
internal sealed class FailedAccessMiddleware(RequestDelegate next, AirlockMetrics metrics)
{
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
                metrics.RecordFailedAccess(context.Request.Headers.Authorization.Count == 0
                    ? FailedAccessKinds.MissingToken
                    : FailedAccessKinds.InvalidToken);
            }
        }
    }
}
