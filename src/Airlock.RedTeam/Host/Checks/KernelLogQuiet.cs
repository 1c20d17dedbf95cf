using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>The host kernel's log gains no line containing a needle (the attack's nonce, a sysrq banner).</summary>
internal sealed class KernelLogQuiet(Func<CaseContext, string> needle) : IHostCheck
{
    private int _before;

    public async Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken) =>
        _before = Count(await HostCommand.OutputAsync("dmesg", [], cancellationToken), needle(context));

    public async Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var log = await HostCommand.OutputAsync("dmesg", [], cancellationToken);
        if (log is null) return (["cannot read the host kernel log (dmesg) to judge"], "");
        var after = Count(log, needle(context));
        return after > _before
            ? ([$"host kernel log gained {after - _before} line(s) with '{needle(context)}'"], "")
            : ([], $"host kernel log: no new line with '{needle(context)}'");
    }

    private static int Count(string? log, string text) =>
        log?.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal)) ?? 0;
}
