namespace Airlock.Core.Engine;

public sealed partial class SandboxEngine : ISandboxChannels
{
    public async Task<ISandboxTerminal> OpenTerminalAsync(string id, TerminalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        SpecValidator.ValidateExec(new ExecRequest { Command = request.Command, Env = request.Env, Cwd = request.Cwd });
        TerminalRequest.ValidateSize(request.Columns, request.Rows);
        return await GuestFor(await RequireRunningAsync(id, cancellationToken)).OpenTerminalAsync(request, cancellationToken);
    }

    public async Task<Stream> ConnectPortAsync(string id, int port, CancellationToken cancellationToken = default)
    {
        Guest.Protocol.GuestClient.ValidatePort(port);
        return await GuestFor(await RequireRunningAsync(id, cancellationToken)).ConnectPortAsync(port, cancellationToken);
    }
}
