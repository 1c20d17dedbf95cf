using Airlock.Access;
using Airlock.Audit;
using Airlock.Core.Policy.Decisions;

namespace Airlock.Core.Governance;

public sealed partial class GovernedSandboxOperations : ISandboxChannels
{
    /// <summary>
    /// A terminal is judged as an exec of its command (deny, approval, exec_rate) and audited when it opens and when it
    /// ends, with the exit code; what is typed into it is not recorded.
    /// </summary>
    public async Task<ISandboxTerminal> OpenTerminalAsync(string id, TerminalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AuthorizeAsync(id, new ExecAction(request.Command), cancellationToken);
        var details = ExecDetails(request.Command, null, TimeSpan.Zero);
        details.Remove("duration_ms");
        details["size"] = $"{request.Columns}x{request.Rows}";
        ISandboxTerminal terminal;
        try
        {
            terminal = await engine.OpenTerminalAsync(id, request, cancellationToken);
        }
        catch (AirlockException e)
        {
            details["error"] = e.Message;
            await AuditAsync(AuditKinds.TerminalOpened, e.IsClientError ? AuditOutcomes.Denied : AuditOutcomes.Failed, id, details);
            throw;
        }

        await AuditAsync(AuditKinds.TerminalOpened, AuditOutcomes.Ok, id, details);
        var actor = CallerContext.Current.Actor;
        var started = _time.GetTimestamp();
        return new AuditedTerminal(terminal, exitCode =>
        {
            var end = ExecDetails(request.Command, null, _time.GetElapsedTime(started));
            if (exitCode is { } code) end["exit_code"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return AppendAsync(AuditKinds.TerminalClosed, actor, exitCode is null ? AuditOutcomes.Failed : AuditOutcomes.Ok, id, end);
        });
    }

    /// <summary>Port connections are audited by the preview that makes them (the daemon's preview registry).</summary>
    public Task<Stream> ConnectPortAsync(string id, int port, CancellationToken cancellationToken = default) =>
        engine.ConnectPortAsync(id, port, cancellationToken);

    /// <summary>Records an event for <paramref name="actor"/>: callers whose event outlives the request that started it.</summary>
    public async Task AppendAsync(string kind, string actor, string outcome, string? sandboxId, Dictionary<string, string> details)
    {
        if (audit is null) return;
        await audit.AppendAsync(new AuditEvent { Kind = kind, Actor = actor, Outcome = outcome, SandboxId = sandboxId, Details = details }, CancellationToken.None);
    }
}
