using Airlock.Access;
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
            SandboxBinding.EnsureMayCreate(CallerContext.Current, spec.Labels);
            var info = await sandboxes.CreateAsync(spec, progress: null, context.RequestAborted);
            return Results.Json(info, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("CreateSandbox")
            .RequireScope(Scopes.SandboxCreate)
            .Accepts<CreateSandboxBody>("application/json")
            .Produces<SandboxInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        v1.MapGet("/sandboxes", async (HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(new SandboxList(SandboxBinding.Visible(CallerContext.Current, await sandboxes.ListAsync(Query.Labels(context.Request), context.RequestAborted))), AirlockJson.Options))
            .WithName("ListSandboxes")
            .RequireScope(Scopes.SandboxRead)
            .Produces<SandboxList>();

        v1.MapGet("/sandboxes/{id}", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.GetAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("GetSandbox")
            .RequireScope(Scopes.SandboxRead)
            .Produces<SandboxInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapGet("/sandboxes/{id}/posture", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.InspectAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("InspectSandbox")
            .RequireScope(Scopes.SandboxRead)
            .WithDescription("Isolation facts of a running sandbox, read from inside it: kernel, uid mapping, seccomp, capabilities, cgroup limits, network")
            .Produces<SandboxPosture>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapDelete("/sandboxes/{id}", async (string id, HttpContext context, ISandboxOperations sandboxes, Previews.PreviewRegistry previews) =>
        {
            await sandboxes.DeleteAsync(id, context.RequestAborted);
            await previews.CloseSandboxAsync(id, "sandbox destroyed");
            return Results.NoContent();
        })
            .WithName("DeleteSandbox")
            .RequireScope(Scopes.SandboxDelete)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPost("/sandboxes/{id}/pause", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.PauseAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("PauseSandbox")
            .RequireScope(Scopes.SandboxDelete)
            .Produces<SandboxInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapPost("/sandboxes/{id}/resume", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.ResumeAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("ResumeSandbox")
            .RequireScope(Scopes.SandboxDelete)
            .Produces<SandboxInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        // Counts survive the sandbox, so an investigation after the fact still finds them: no existence check.
        v1.MapGet("/sandboxes/{id}/access-failures", (string id, AccessControl access) =>
            Results.Json(new AccessFailureReport(id, access.Failures.ForSandbox(id)), AirlockJson.Options))
            .WithName("SandboxAccessFailures")
            .RequireScope(Scopes.SandboxRead)
            .WithDescription("How many requests naming this sandbox were refused (401 and 403), since the audit log began")
            .Produces<AccessFailureReport>();
    }
}
