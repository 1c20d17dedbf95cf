using Airlock.Access;
using Airlock.Client;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Governance;

/// <summary>
/// A scoped token that may mint (tokens:mint, files:read, bound to one sandbox) mints wider ones: more scopes,
/// no sandbox binding, a longer life. The host judges from the admin's token list: no token the attacker
/// minted is wider than the attacker.
/// </summary>
internal sealed class TokenEscalationAttack : IAttackCase
{
    public string Category => Categories.Governance;

    public string Name => "token-mint-escalation";

    public string Attempts => "a tokens:mint+files:read token bound to one sandbox mints tokens with sandbox:exec, with no binding, and with a 24 h life";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateDaemonSandboxAsync(cancellationToken: cancellationToken);
        var parent = await context.Environment.Admin.Tokens.MintAsync(new TokenRequest { Name = "rt-parent-" + context.Nonce, Scopes = [Scopes.TokensMint, Scopes.FilesRead], Sandbox = sandbox.Id, Ttl = TimeSpan.FromMinutes(5) }, cancellationToken);
        using var attacker = new AirlockClient(context.Environment.DaemonUrl, parent.Token);
        var name = "rt-child-" + context.Nonce;
        var answers = new List<string>
        {
            "exec scope " + await TokenAttack.Try(() => attacker.Tokens.MintAsync(new TokenRequest { Name = name, Scopes = [Scopes.SandboxExec], Sandbox = sandbox.Id }, cancellationToken)),
            "unbound " + await TokenAttack.Try(() => attacker.Tokens.MintAsync(new TokenRequest { Name = name, Scopes = [Scopes.FilesRead] }, cancellationToken)),
            "24h " + await TokenAttack.Try(() => attacker.Tokens.MintAsync(new TokenRequest { Name = name, Scopes = [Scopes.FilesRead], Sandbox = sandbox.Id, Ttl = TimeSpan.FromHours(24) }, cancellationToken)),
        };
        var findings = new List<string>();
        foreach (var token in (await context.Environment.Admin.Tokens.ListAsync(cancellationToken)).Where(t => t.Name == name))
        {
            if (token.Scopes.Except(parent.Scopes).Any()) findings.Add($"token {token.Id} has scopes [{string.Join(",", token.Scopes)}] beyond its minter's");
            if (token.Sandbox != sandbox.Id) findings.Add($"token {token.Id} is not bound to the minter's sandbox");
            if (token.ExpiresAt > parent.ExpiresAt.AddSeconds(1)) findings.Add($"token {token.Id} outlives its minter ({token.ExpiresAt:u} > {parent.ExpiresAt:u})");
        }

        return Judgement.From(findings, $"[{string.Join(", ", answers)}]; every token it minted (admin's list) is within its minter's scopes, binding and life");
    }
}
