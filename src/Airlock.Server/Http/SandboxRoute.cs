using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Http;

/// <summary>The sandbox a request names: the <c>{id}</c> of a <c>/v1/sandboxes/{id}/...</c> route, and of no other (approvals have ids too).</summary>
internal static class SandboxRoute
{
    public static string? IdOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } && pattern.Contains("sandboxes/{id}", StringComparison.Ordinal)
            ? context.GetRouteValue("id") as string
            : null;
}
