using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>Sandbox lifecycle: create, list (label filter), get, delete, pause, resume.</summary>
internal static class SandboxEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/sandboxes", async (HttpContext context, ISandboxOperations sandboxes) =>
        {
            using var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes, required: false);
            var spec = RequestBodies.CreateSandbox(body.RootElement);
            var info = await sandboxes.CreateAsync(spec, progress: null, context.RequestAborted);
            return Results.Json(info, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("CreateSandbox")
            .Accepts<CreateSandboxBody>("application/json")
            .Produces<SandboxInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        v1.MapGet("/sandboxes", async (HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(new SandboxList(await sandboxes.ListAsync(Query.Labels(context.Request), context.RequestAborted)), AirlockJson.Options))
            .WithName("ListSandboxes")
            .Produces<SandboxList>();

        v1.MapGet("/sandboxes/{id}", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.GetAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("GetSandbox")
            .Produces<SandboxInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapGet("/sandboxes/{id}/posture", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.InspectAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("InspectSandbox")
            .WithDescription("Isolation facts of a running sandbox, read from inside it: kernel, uid mapping, seccomp, capabilities, cgroup limits, network")
            .Produces<SandboxPosture>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapDelete("/sandboxes/{id}", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
        {
            await sandboxes.DeleteAsync(id, context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("DeleteSandbox")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPost("/sandboxes/{id}/pause", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.PauseAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("PauseSandbox")
            .Produces<SandboxInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapPost("/sandboxes/{id}/resume", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.ResumeAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("ResumeSandbox")
            .Produces<SandboxInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
