namespace Airlock.Server.Http;

/// <summary>
/// Endpoint metadata: the scope a scoped token needs for this route, or that no token is needed at all.
/// A route without it is for the admin token only, so a route added later fails closed.
/// </summary>
internal sealed record AccessRequirement(string? Scope, bool Anonymous = false);
