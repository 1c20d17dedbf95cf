namespace Airlock.Access;

/// <summary>
/// Minting, listing and revoking scoped tokens, on behalf of <see cref="CallerContext.Current"/>. The daemon's
/// token service and the SDK (over REST) both implement it, so the CLI's token verbs are written once.
/// </summary>
public interface ITokenOperations
{
    /// <summary>Mints a token no wider than the caller: its scopes, its binding, its remaining lifetime.</summary>
    Task<MintedToken> MintAsync(TokenRequest request, CancellationToken cancellationToken = default);

    /// <summary>Every token for the admin; for a scoped caller, itself and the tokens it minted.</summary>
    Task<IReadOnlyList<TokenInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes at once; unknown ids are NotFound, revoking twice is not an error.</summary>
    Task<TokenInfo> RevokeAsync(string id, CancellationToken cancellationToken = default);
}
