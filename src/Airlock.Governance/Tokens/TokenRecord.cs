using Airlock.Access;

namespace Airlock.Governance.Tokens;

/// <summary>A row of the token table: what the token grants and the hash of its secret.</summary>
internal sealed record TokenRecord
{
    public required TokenInfo Info { get; init; }

    public required byte[] SecretHash { get; init; }
}
