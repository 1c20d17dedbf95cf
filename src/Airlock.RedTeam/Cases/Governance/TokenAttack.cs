using Airlock.Access;
using Airlock.Client;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Governance;

/// <summary>
/// A caller holding a token it should not be able to use — expired, revoked, forged, too narrow, bound to another
/// sandbox — tries to write a file and run a command in a sandbox of the battery's daemon. The host judges by
/// the effect, read back with the admin token: the file and the command's mark must not exist.
/// </summary>
internal sealed class TokenAttack : IAttackCase
{
    private TokenAttack(string name, string attempts, Func<CaseContext, SandboxInfo, SandboxInfo, CancellationToken, Task<string>> token)
    {
        Name = name;
        Attempts = attempts;
        _token = token;
    }

    private readonly Func<CaseContext, SandboxInfo, SandboxInfo, CancellationToken, Task<string>> _token;

    public string Category => Categories.Governance;

    public string Name { get; }

    public string Attempts { get; }

    public static IEnumerable<IAttackCase> All()
    {
        string[] full = [Scopes.FilesWrite, Scopes.SandboxExec, Scopes.FilesRead];
        yield return new TokenAttack("expired-token", "a token minted for 1 s, used 3 s later to write a file and exec", async (c, target, _, ct) =>
        {
            var minted = await c.Environment.Admin.Tokens.MintAsync(new TokenRequest { Scopes = full, Sandbox = target.Id, Ttl = TimeSpan.FromSeconds(1) }, ct);
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            return minted.Token;
        });
        yield return new TokenAttack("revoked-token", "a token revoked right after minting, used to write a file and exec", async (c, target, _, ct) =>
        {
            var minted = await c.Environment.Admin.Tokens.MintAsync(new TokenRequest { Scopes = full, Sandbox = target.Id }, ct);
            await c.Environment.Admin.Tokens.RevokeAsync(minted.Id, ct);
            return minted.Token;
        });
        yield return new TokenAttack("out-of-scope-token", "a files:read token (for this sandbox) used to write a file and exec", async (c, target, _, ct) =>
            (await c.Environment.Admin.Tokens.MintAsync(new TokenRequest { Scopes = [Scopes.FilesRead], Sandbox = target.Id }, ct)).Token);
        yield return new TokenAttack("other-sandbox-token", "a full token bound to a neighbour sandbox used against this one", async (c, _, neighbour, ct) =>
            (await c.Environment.Admin.Tokens.MintAsync(new TokenRequest { Scopes = full, Sandbox = neighbour.Id }, ct)).Token);
        yield return new TokenAttack("forged-token", "a valid token with its last characters changed, and a made-up admin-looking token", async (c, target, _, ct) =>
        {
            var token = (await c.Environment.Admin.Tokens.MintAsync(new TokenRequest { Scopes = [Scopes.FilesRead], Sandbox = target.Id }, ct)).Token;
            return token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        });
    }

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var target = await context.CreateDaemonSandboxAsync(cancellationToken: cancellationToken);
        var neighbour = Name == "other-sandbox-token" ? await context.CreateDaemonSandboxAsync(cancellationToken: cancellationToken) : target;
        var token = await _token(context, target, neighbour, cancellationToken);
        var tokens = Name == "forged-token" ? new[] { token, "airlock_admin_" + Guid.NewGuid().ToString("N") } : [token];
        var refusals = new List<string>();
        foreach (var candidate in tokens)
        {
            using var attacker = new AirlockClient(context.Environment.DaemonUrl, candidate);
            refusals.Add(await Try(() => attacker.Operations.WriteFileAsync(target.Id, $"/workspace/written-{context.Nonce}", new MemoryStream("pwned"u8.ToArray()), cancellationToken: cancellationToken)));
            refusals.Add(await Try(async () =>
            {
                await foreach (var _ in attacker.Operations.ExecStreamAsync(target.Id, new ExecRequest { Command = ["touch", $"/workspace/exec-{context.Nonce}"] }, cancellationToken))
                {
                }
            }));
        }

        var findings = new List<string>();
        foreach (var path in new[] { $"/workspace/written-{context.Nonce}", $"/workspace/exec-{context.Nonce}" })
        {
            if (await Exists(context, target.Id, path, cancellationToken)) findings.Add($"{path} exists in the target sandbox (read back with the admin token)");
        }

        return Judgement.From(findings, $"calls answered [{string.Join(", ", refusals)}]; the admin finds neither the file nor the exec's mark");
    }

    internal static async Task<string> Try(Func<Task> call)
    {
        try
        {
            await call();
            return "accepted";
        }
        catch (AirlockException e)
        {
            return e.Kind.ToString();
        }
    }

    internal static async Task<bool> Exists(CaseContext context, string id, string path, CancellationToken cancellationToken)
    {
        try
        {
            await context.Environment.Admin.Operations.StatFileAsync(id, path, cancellationToken);
            return true;
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
        {
            return false;
        }
    }
}
