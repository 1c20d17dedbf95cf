namespace Airlock.Guest.Protocol;

public sealed partial class GuestClient
{
    /// <summary>Runs a command on a new pseudo-terminal inside the sandbox (<c>pty.open</c>).</summary>
    public async Task<GuestTerminal> OpenTerminalAsync(TerminalRequest request, CancellationToken cancellationToken = default)
    {
        TerminalRequest.ValidateSize(request.Columns, request.Rows);
        var guestRequest = ToRequest(GuestOps.PtyOpen, new ExecRequest { Command = request.Command, Env = request.Env, Cwd = request.Cwd })
            with { Cols = request.Columns, Rows = request.Rows };
        var connection = await OpenAsync(guestRequest, cancellationToken);
        try
        {
            var process = await ReadJsonAsync(connection, Json.ProcessInfo, "terminal start", cancellationToken);
            return new GuestTerminal(connection, process);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> inside the sandbox (<c>port.connect</c>).</summary>
    public async Task<GuestPortStream> ConnectPortAsync(int port, CancellationToken cancellationToken = default)
    {
        ValidatePort(port);
        var connection = await OpenAsync(new GuestRequest { Op = GuestOps.PortConnect, Port = port }, cancellationToken);
        try
        {
            await ReadJsonAsync(connection, Json.GuestOk, "port connect", cancellationToken);
            return new GuestPortStream(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A TCP port, 1..65535; InvalidArgument naming the value otherwise.</summary>
    public static void ValidatePort(int port)
    {
        if (port is < 1 or > 65535) throw AirlockException.Invalid($"a port must be between 1 and 65535 (got {port})");
    }
}
