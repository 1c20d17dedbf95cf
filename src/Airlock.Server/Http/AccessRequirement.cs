namespace Airlock.Server.Http;

/// <summary>
/// Endpoint metadata: the scope a scoped token needs for this route, or that no token is needed at all.
/// A route without it is for the admin token only, so a route added later fails closed. <paramref name="PerCall"/>:
/// any authenticated caller may reach the route, which checks each call's scope and sandbox itself (<c>/mcp</c>, where
/// one route carries every tool).
/// </summary>
internal sealed record AccessRequirement(string? Scope, bool Anonymous = false, bool PerCall = false);
