namespace Airlock.Client.Wire;

/// <summary>The answer of <c>GET /v1/sandboxes/{id}/ports</c>.</summary>
internal sealed record PortPreviewList(IReadOnlyList<PortPreview> Ports);
