using Airlock.Access;
using Airlock.Client;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Governance;

/// <summary>
/// A command held for a person (policy <c>tools.approval: ["touch *"]</c>) that the caller tries to release itself:
/// with its own sandbox-bound exec token it approves its own request, approves an unknown id, and wraps the
/// command in <c>sh -c</c>. The admin then denies. The host judges by the effect: the command's file must not exist.
/// </summary>
internal sealed class ApprovalBypassAttack : IAttackCase
{
    private const string Policy = "tools: { approval: [ \"touch *\" ] }\napproval_timeout: 60s\n";

    public string Category => Categories.Governance;

    public string Name => "approval-self-approve";

    public string Attempts => "with a held 'touch' (tools.approval), approve it with the caller's own sandbox:exec token, approve a made-up id, retry through sh -c; then the admin denies";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateDaemonSandboxAsync(Policy, cancellationToken);
        var minted = await context.Environment.Admin.Tokens.MintAsync(new TokenRequest { Scopes = [Scopes.SandboxExec, Scopes.FilesRead], Sandbox = sandbox.Id }, cancellationToken);
        using var agent = new AirlockClient(context.Environment.DaemonUrl, minted.Token);
        var marks = new[] { $"/workspace/direct-{context.Nonce}", $"/workspace/wrapped-{context.Nonce}" };
        var held = new[]
        {
            Exec(agent, sandbox.Id, ["touch", marks[0]], cancellationToken),
            Exec(agent, sandbox.Id, ["sh", "-c", $"touch {marks[1]}"], cancellationToken),
        };
        var answers = new List<string>();
        var pending = await WaitForPendingAsync(context, sandbox.Id, 2, cancellationToken);
        foreach (var approval in pending)
        {
            answers.Add("self-approve " + await TokenAttack.Try(() => agent.Approvals.ResolveAsync(approval.Id, approve: true, "self", cancellationToken)));
        }

        answers.Add("unknown id " + await TokenAttack.Try(() => agent.Approvals.ResolveAsync("ap_" + context.Nonce, approve: true, "guess", cancellationToken)));
        foreach (var approval in pending)
        {
            await context.Environment.Admin.Approvals.ResolveAsync(approval.Id, approve: false, "red team: denied", cancellationToken);
        }

        var outcomes = await Task.WhenAll(held);
        var findings = new List<string>();
        foreach (var mark in marks)
        {
            if (await TokenAttack.Exists(context, sandbox.Id, mark, cancellationToken)) findings.Add($"{mark} exists: a held command ran without a person's approval");
        }

        if (pending.Count < 2 && findings.Count == 0) return Judgement.Inconclusive($"only {pending.Count} of 2 commands were held for approval ({string.Join(", ", outcomes)})");
        return Judgement.From(findings, $"{pending.Count} held; [{string.Join(", ", answers)}]; after the admin's denial the calls ended [{string.Join(", ", outcomes)}] and neither mark exists");
    }

    private static async Task<string> Exec(AirlockClient client, string id, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        await TokenAttack.Try(async () =>
        {
            await foreach (var _ in client.Operations.ExecStreamAsync(id, new ExecRequest { Command = command }, cancellationToken))
            {
            }
        });

    private static async Task<IReadOnlyList<ApprovalInfo>> WaitForPendingAsync(CaseContext context, string sandboxId, int count, CancellationToken cancellationToken)
    {
        IReadOnlyList<ApprovalInfo> pending = [];
        for (var i = 0; i < 100 && pending.Count < count; i++)
        {
            pending = [.. (await context.Environment.Admin.Approvals.ListAsync(pendingOnly: true, cancellationToken)).Where(a => a.SandboxId == sandboxId)];
            if (pending.Count < count) await Task.Delay(200, cancellationToken);
        }

        return pending;
    }
}
