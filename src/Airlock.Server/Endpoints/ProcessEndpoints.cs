using System.Text.Json;
using Airlock.Access;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>Background processes: start, list, output, signal.</summary>
internal static class ProcessEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/sandboxes/{id}/processes", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
        {
            ExecRequest request;
            using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
            {
                request = RequestBodies.Exec(body.RootElement);
            }

            var process = await sandboxes.StartProcessAsync(id, request, context.RequestAborted);
            return Results.Json(process, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("StartProcess")
            .RequireScope(Scopes.SandboxExec)
            .Accepts<ExecBody>("application/json")
            .Produces<ProcessInfo>(StatusCodes.Status201Created);

        v1.MapGet("/sandboxes/{id}/processes", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(new ProcessList(await sandboxes.ListProcessesAsync(id, context.RequestAborted)), AirlockJson.Options))
            .WithName("ListProcesses")
            .RequireScope(Scopes.SandboxExec)
            .Produces<ProcessList>();

        v1.MapGet("/sandboxes/{id}/processes/{pid}", async (string id, string pid, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.GetProcessOutputAsync(id, Query.Pid(pid), context.RequestAborted), AirlockJson.Options))
            .WithName("GetProcess")
            .RequireScope(Scopes.SandboxExec)
            .Produces<ProcessOutput>();

        v1.MapPost("/sandboxes/{id}/processes/{pid}/signal", async (string id, string pid, HttpContext context, ISandboxOperations sandboxes) =>
        {
            var number = Query.Pid(pid);
            int signal;
            using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
            {
                signal = RequestBodies.Signal(body.RootElement);
            }

            await sandboxes.SignalProcessAsync(id, number, signal, context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("SignalProcess")
            .RequireScope(Scopes.SandboxExec)
            .Accepts<SignalBody>("application/json")
            .Produces(StatusCodes.Status204NoContent);
    }
}
