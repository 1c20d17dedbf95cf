namespace Airlock.Client;

/// <summary>
/// A port of a sandbox made reachable through the daemon (<c>airlock expose</c>, <c>POST /v1/sandboxes/{id}/ports</c>):
/// requests to <see cref="Url"/> carrying <see cref="Token"/> are relayed to 127.0.0.1:<see cref="Port"/> inside the sandbox.
/// </summary>
public sealed record PortPreview
{
    /// <summary>The preview's id, the path segment after <c>/preview/</c>.</summary>
    public required string Id { get; init; }

    public required string SandboxId { get; init; }

    public required int Port { get; init; }

    /// <summary>The address to open, ending in '/': the sandbox's server sees the rest of the path.</summary>
    public required string Url { get; init; }

    /// <summary>
    /// The preview's own token (not an API token): send it as <c>Authorization: Bearer</c>, or once as
    /// <c>?airlock_token=</c> from a browser, which then keeps it in a cookie. Only the create call returns it.
    /// </summary>
    public string? Token { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Requests relayed so far.</summary>
    public long Requests { get; init; }
}
