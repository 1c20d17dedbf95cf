namespace Airlock.Client.Wire;

/// <summary>The body of <c>POST /v1/sandboxes/{id}/ports</c>.</summary>
internal sealed record ExposePortBody(int Port, string? Ttl);
