using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>
/// Every host process whose command line carries the case's nonce is inside the sandbox's cgroups: a process
/// that moved itself to another cgroup has left the sandbox's limits (and its kill on destroy).
/// </summary>
internal sealed class ProcessesConfined : IHostCheck
{
    public Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var findings = new List<string>();
        var inside = 0;
        foreach (var pid in HostProcesses.WithInCommandLine(context.Nonce))
        {
            var cgroups = HostFiles.ReadText($"/proc/{pid}/cgroup") ?? "";
            if (cgroups.Contains("/" + sandboxId, StringComparison.Ordinal)) inside++;
            else findings.Add($"host pid {pid} of the attack runs outside the sandbox's cgroups ({cgroups.Split('\n')[0]})");
        }

        return Task.FromResult<(IReadOnlyList<string>, string)>((findings, $"{inside} host process(es) of the attack, all in the sandbox's cgroups"));
    }
}
