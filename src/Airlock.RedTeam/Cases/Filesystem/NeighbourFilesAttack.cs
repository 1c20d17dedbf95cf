using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// Another sandbox's files: a neighbour (same tier) holds a secret in /workspace and /tmp; the attacker knows
/// the neighbour's id and searches every path where it could show up (its host data directory, /proc/*/root,
/// a find over /). The host checks the neighbour's file is unchanged (read through the files API) and that the
/// secret is nowhere in the attacker's output.
/// </summary>
internal sealed class NeighbourFilesAttack : IAttackCase
{
    public string Category => Categories.Filesystem;

    public string Name => "other-sandbox-files";

    public string Attempts => "read and overwrite a neighbour sandbox's /workspace and /tmp files, knowing its id and the host data directory";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var neighbour = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var secret = "neighbour-" + Guid.NewGuid().ToString("N");
        await context.Sandboxes.WriteFileAsync(neighbour.Id, "/workspace/secret.txt", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(secret)), cancellationToken: cancellationToken);
        var attacker = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var home = context.Environment.Paths.SandboxDirectory(neighbour.Id);
        var run = await context.ShellAsync(attacker.Id, $"""
            for p in {home} {home}/rootfs/workspace {home}/upper/workspace /proc/*/root/workspace /var/lib/airlock/sandboxes/{neighbour.Id}; do ls $p; cat $p/secret.txt; echo pwned > $p/secret.txt; done 2>&1
            timeout 20 grep -rl {secret[..12]} / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | head; echo searched
            """, TimeSpan.FromSeconds(40), cancellationToken);
        var findings = new List<string>();
        if (run.Output.Contains(secret, StringComparison.Ordinal)) findings.Add("the attacker printed the neighbour's secret");
        await using (var stream = await context.Sandboxes.ReadFileAsync(neighbour.Id, "/workspace/secret.txt", cancellationToken))
        {
            if (await new StreamReader(stream).ReadToEndAsync(cancellationToken) != secret) findings.Add("the neighbour's /workspace/secret.txt changed");
        }

        if (run.Result is null && findings.Count == 0) return Judgement.Inconclusive($"the search did not finish: {run.Describe()}");
        return Judgement.From(findings, $"neighbour's file unchanged (host read it back), its secret not in {run.TotalBytes} B of the attacker's output");
    }
}
