using System.Globalization;
using System.Net.WebSockets;
using Airlock.Access;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>
/// <c>GET /v1/sandboxes/{id}/pty?cols=&amp;rows=&amp;command=</c>, a WebSocket: binary messages are terminal bytes both
/// ways; a text message from the client <c>{"cols":N,"rows":N}</c> resizes; when the command exits the daemon sends a
/// text message <c>{"exitCode":N}</c> and closes. Everything that can be refused (bad size, unknown sandbox, policy) is
/// refused before the upgrade, as an ordinary problem+json response.
/// </summary>
internal static class TerminalEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/sandboxes/{id}/pty", (string id, HttpContext context, ISandboxOperations sandboxes) => OpenAsync(id, context, sandboxes))
            .WithName("OpenTerminal")
            .RequireScope(Scopes.SandboxExec)
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task OpenAsync(string id, HttpContext context, ISandboxOperations sandboxes)
    {
        var query = context.Request.Query;
        var request = new TerminalRequest
        {
            Columns = Dimension(query, "cols", 80),
            Rows = Dimension(query, "rows", 24),
            Command = query["command"] is { Count: > 0 } command ? command.Select(c => c ?? "").ToArray() : TerminalRequest.DefaultShell,
        };
        TerminalRequest.ValidateSize(request.Columns, request.Rows);
        var channels = sandboxes as ISandboxChannels
            ?? throw AirlockException.Unavailable("this daemon's sandboxes cannot open terminals");
        await sandboxes.GetAsync(id, context.RequestAborted); // 404 before anything else is said about the request
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw AirlockException.Invalid($"GET /v1/sandboxes/{id}/pty is a WebSocket; connect with 'Upgrade: websocket' (the SDK's Sandbox.OpenTerminalAsync, or `airlock shell {id}`)");
        }

        await using var terminal = await channels.OpenTerminalAsync(id, request, context.RequestAborted);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await new TerminalSession(socket, terminal).RunAsync(context.RequestAborted);
    }

    private static int Dimension(IQueryCollection query, string name, int fallback)
    {
        var text = query[name].ToString();
        if (text.Length == 0) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw AirlockException.Invalid($"{name} must be a whole number of characters (got '{text}')");
    }
}
