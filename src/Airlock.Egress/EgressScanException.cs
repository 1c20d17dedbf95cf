namespace Airlock.Egress;

/// <summary>A request the exfiltration scan stopped: <see cref="Reason"/> says why, <see cref="Secret"/> names (never shows) the secret.</summary>
internal sealed class EgressScanException(string reason, string rule, string? secret, string message) : Exception(message)
{
    /// <summary><c>canary</c>, <c>secret-value</c> or <c>secret-placeholder</c>.</summary>
    public string Reason { get; } = reason;

    public string Rule { get; } = rule;

    public string? Secret { get; } = secret;
}
