namespace Airlock.Client;

/// <summary>The answer of <c>GET /health</c>.</summary>
/// <param name="Status"><c>ok</c> when the daemon serves requests.</param>
/// <param name="Version">The daemon's version.</param>
public sealed record ServerHealth(string Status, string Version);
