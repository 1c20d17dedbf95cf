using System.Globalization;
using Airlock.Access;
using Airlock.Audit;

namespace Airlock.Governance.Tokens;

/// <summary>
/// Short-lived scoped tokens: minted by the admin (or by a token with <c>tokens:mint</c>, never wider than itself),
/// checked on every request, revocable at once. Every mint and revocation goes to the audit log — never the secret.
/// </summary>
public sealed partial class TokenService : ITokenOperations
{
    private readonly TokenStore _store;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly IAuditLog? _audit;
    private readonly TokenLimits _limits;

    /// <param name="databasePath">The token table's SQLite file (created when missing).</param>
    /// <param name="signingKey">At least 32 bytes of secret key; whoever holds it can sign tokens.</param>
    public TokenService(string databasePath, ReadOnlySpan<byte> signingKey, TimeProvider time, IAuditLog? audit = null, TokenLimits? limits = null)
    {
        if (signingKey.Length < 32) throw new ArgumentException("the token signing key must be at least 32 bytes", nameof(signingKey));
        _store = new TokenStore(databasePath);
        _key = signingKey.ToArray();
        _time = time;
        _audit = audit;
        _limits = limits ?? new TokenLimits();
    }

    public async Task<MintedToken> MintAsync(TokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var minter = CallerContext.Current;
        var ttl = MintRules.Ttl(request, _limits);
        MintRules.EnsureNoWider(minter, request);

        var now = _time.GetUtcNow();
        var expiresAt = now + ttl;
        if (minter.TokenId is { } parentId && await _store.GetAsync(parentId, cancellationToken) is { } parent && parent.Info.ExpiresAt < expiresAt)
        {
            // A child never outlives its parent: otherwise a token could renew itself forever.
            expiresAt = parent.Info.ExpiresAt;
        }

        var id = TokenFormat.NewId();
        var secret = TokenFormat.NewSecret();
        var info = new TokenInfo
        {
            Id = id,
            Name = string.IsNullOrWhiteSpace(request.Name) ? "token" : request.Name.Trim(),
            Scopes = request.Scopes.Distinct(StringComparer.Ordinal).ToList(),
            Sandbox = request.Sandbox,
            Labels = request.Labels is null ? null : new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
            IssuedAt = now,
            ExpiresAt = expiresAt,
            MintedBy = minter.Actor,
        };
        await _store.InsertAsync(new TokenRecord { Info = info, SecretHash = TokenFormat.HashSecret(secret) }, cancellationToken);
        await AuditAsync(AuditKinds.TokenMinted, minter, info, cancellationToken);
        return new MintedToken
        {
            Id = id,
            Token = TokenFormat.Compose(_key, id, secret),
            Name = info.Name,
            Scopes = info.Scopes,
            Sandbox = info.Sandbox,
            Labels = info.Labels,
            ExpiresAt = info.ExpiresAt,
        };
    }

    public async Task<IReadOnlyList<TokenInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var caller = CallerContext.Current;
        var all = await _store.ListAsync(cancellationToken);
        return all.Select(r => r.Info).Where(t => MayManage(caller, t)).ToList();
    }

    public async Task<TokenInfo> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        var caller = CallerContext.Current;
        var record = await _store.GetAsync(id, cancellationToken) ?? throw AirlockException.NotFound($"no token '{id}'; see airlock token ls");
        if (!MayManage(caller, record.Info))
        {
            throw AirlockException.Forbidden($"{caller.Actor} may revoke only itself and the tokens it minted, not token {id}");
        }

        if (!record.Info.Revoked)
        {
            await _store.RevokeAsync(id, _time.GetUtcNow(), cancellationToken);
            await AuditAsync(AuditKinds.TokenRevoked, caller, record.Info, cancellationToken);
        }

        return (await _store.GetAsync(id, cancellationToken))!.Info;
    }

    /// <summary>The admin sees all; a scoped token sees itself and its children, so tokens cannot spy on each other.</summary>
    private static bool MayManage(Caller caller, TokenInfo token) =>
        caller.IsAdmin || token.Id == caller.TokenId || token.MintedBy == caller.Actor;

    private async Task AuditAsync(string kind, Caller caller, TokenInfo token, CancellationToken cancellationToken)
    {
        if (_audit is null) return;
        var details = new Dictionary<string, string>
        {
            ["tokenId"] = token.Id,
            ["name"] = token.Name,
            ["scopes"] = string.Join(' ', token.Scopes),
            ["expiresAt"] = token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (token.Sandbox is not null) details["sandbox"] = token.Sandbox;
        if (token.Labels is not null) details["labels"] = MintRules.Describe(token.Labels);
        await _audit.AppendAsync(new AuditEvent { Kind = kind, Actor = caller.Actor, SandboxId = token.Sandbox, Details = details }, cancellationToken);
    }
}
