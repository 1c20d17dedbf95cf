namespace Airlock.Policy;

/// <summary>
/// One secret. The sandbox sees only a placeholder; the egress gateway puts the real value into requests
/// to the listed hosts, so code in the sandbox can use a key without being able to read or leak it.
/// </summary>
public sealed record SecretPolicy
{
    /// <summary>The environment variable name the sandbox sees the placeholder under.</summary>
    public required string Name { get; init; }

    public required SecretSource From { get; init; }

    /// <summary>The only hosts the real value is sent to; never empty. Host names only, no address ranges.</summary>
    public required IReadOnlyList<EgressTarget> Hosts { get; init; }

    /// <summary>The HTTP header that carries the secret (e.g. <c>Authorization</c>); null leaves it to the egress gateway's default.</summary>
    public string? Header { get; init; }
}
