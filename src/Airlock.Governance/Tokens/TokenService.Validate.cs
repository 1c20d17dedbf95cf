using System.Globalization;
using System.Security.Cryptography;
using Airlock.Access;

namespace Airlock.Governance.Tokens;

public sealed partial class TokenService
{
    /// <summary>Whether <paramref name="presented"/> looks like a scoped token (rather than, say, the admin token).</summary>
    public static bool LooksLikeToken(string presented) => presented.StartsWith(TokenFormat.Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Checks a presented token: shape, signature (constant time), the token table (unknown id, secret hash),
    /// revocation, expiry against the injected clock. Reads the table every time, so a revocation made by another
    /// process sharing the data directory applies to the very next request.
    /// </summary>
    public async Task<TokenCheck> ValidateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!TokenFormat.TryParse(presented, out var id, out var secret, out var signature))
        {
            return TokenCheck.Refused("malformed token; expected alk_<id>.<secret>.<signature> as 'airlock token create' prints it (truncated when copied?)");
        }

        if (!TokenFormat.SignatureMatches(_key, id, secret, signature))
        {
            return TokenCheck.Refused("invalid token signature: this token was not issued by this daemon, or it was altered");
        }

        var record = await _store.GetAsync(id, cancellationToken);
        if (record is null)
        {
            return TokenCheck.Refused($"unknown token {id}: it is not in this daemon's token table; mint a new one with 'airlock token create'");
        }

        if (!CryptographicOperations.FixedTimeEquals(record.SecretHash, TokenFormat.HashSecret(secret)))
        {
            return TokenCheck.Refused($"token {id} does not match its record; mint a new one", id);
        }

        var token = record.Info;
        if (token.RevokedAt is { } revokedAt)
        {
            return TokenCheck.Refused($"token {id} ({token.Name}) was revoked at {Format(revokedAt)}", id);
        }

        if (_time.GetUtcNow() >= token.ExpiresAt)
        {
            return TokenCheck.Refused($"token {id} ({token.Name}) expired at {Format(token.ExpiresAt)}; mint a new one", id);
        }

        return new TokenCheck
        {
            TokenId = id,
            Caller = new Caller
            {
                Actor = $"token:{id}",
                Name = token.Name,
                TokenId = id,
                Scopes = token.Scopes.ToHashSet(StringComparer.Ordinal),
                SandboxId = token.Sandbox,
                LabelSelector = token.Labels,
            },
        };
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
