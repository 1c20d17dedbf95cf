using Airlock.Access;

namespace Airlock.Governance.Tokens;

/// <summary>
/// What a mint request may ask for. Pure, so every rule is unit-tested: the first group rejects malformed requests
/// (400); the second stops a scoped token from minting a wider one (403) — without it, one leaked token with
/// <c>tokens:mint</c> would be a key to everything.
/// </summary>
internal static class MintRules
{
    public static TimeSpan Ttl(TokenRequest request, TokenLimits limits)
    {
        if (request.Scopes is not { Count: > 0 }) throw AirlockException.Invalid($"'scopes' needs at least one scope; known scopes: {string.Join(", ", Scopes.All)}");
        foreach (var scope in request.Scopes)
        {
            if (!Scopes.All.Contains(scope)) throw AirlockException.Invalid($"unknown scope '{scope}'; known scopes: {string.Join(", ", Scopes.All)}");
        }

        if (request.Sandbox is not null && request.Labels is not null)
        {
            throw AirlockException.Invalid("bind a token to one sandbox ('sandbox') or to a label selector ('labels'), not both");
        }

        if ((request.Sandbox is not null || request.Labels is not null) && request.Scopes.Contains(Scopes.ApprovalsResolve))
        {
            // A token bound to a sandbox is the one its agent holds; with approvals:resolve the agent could wave
            // through the very actions its policy holds for a person.
            throw AirlockException.Invalid($"'{Scopes.ApprovalsResolve}' is for the people who answer approvals: mint it on a token not bound to a sandbox or labels");
        }

        if (request.Sandbox is { Length: 0 }) throw AirlockException.Invalid("'sandbox' must not be empty; leave it out for an unbound token");
        if (request.Labels is { Count: 0 }) throw AirlockException.Invalid("'labels' must hold at least one key=value; leave it out for an unbound token");
        if (request.Name is { } name && (name.Length > 100 || name.Any(char.IsControl)))
        {
            throw AirlockException.Invalid("'name' must be at most 100 characters, without control characters");
        }

        var ttl = request.Ttl ?? limits.DefaultTtl;
        if (ttl <= TimeSpan.Zero) throw AirlockException.Invalid("'ttl' must be positive, like \"15m\"");
        if (ttl > limits.MaxTtl) throw AirlockException.Invalid($"'ttl' may be at most {limits.MaxTtl.TotalHours:0.##}h, not {ttl}; mint a new token when this one expires");
        return ttl;
    }

    public static void EnsureNoWider(Caller minter, TokenRequest request)
    {
        if (!minter.Has(Scopes.TokensMint)) throw AirlockException.Forbidden($"{minter.Actor} lacks the scope '{Scopes.TokensMint}' needed to mint tokens");
        if (minter.IsAdmin) return;

        var missing = request.Scopes.Where(s => !minter.Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            throw AirlockException.Forbidden($"{minter.Actor} cannot grant scopes it does not hold: {string.Join(", ", missing)}");
        }

        if (minter.SandboxId is { } bound && request.Sandbox != bound)
        {
            throw AirlockException.Forbidden($"{minter.Actor} is bound to sandbox {bound}; the tokens it mints must be bound to {bound} too");
        }

        if (minter.LabelSelector is { } selector)
        {
            var wanted = request.Labels;
            if (wanted is null || selector.Any(l => !wanted.TryGetValue(l.Key, out var v) || v != l.Value))
            {
                throw AirlockException.Forbidden(
                    $"{minter.Actor} is bound to sandboxes labelled {Describe(selector)}; the tokens it mints must carry that selector (and may add labels)");
            }
        }
    }

    public static string Describe(IReadOnlyDictionary<string, string> labels) => string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"));
}
