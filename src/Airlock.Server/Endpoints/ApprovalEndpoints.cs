using System.Text.Json;
using Airlock.Access;
using Airlock.Client.Wire;
using Airlock.Core.Approvals;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>Human approval gates: list, read, approve, deny, and a Server-Sent Events stream of requests and answers.</summary>
internal static class ApprovalEndpoints
{
    private static readonly string[] ResolveFields = ["reason"];

    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapGet("/approvals", async (HttpContext context, ApprovalBroker approvals) =>
        {
            var state = context.Request.Query["state"].ToString();
            if (state is not ("" or "pending" or "all")) throw AirlockException.Invalid($"'state' must be pending or all, not '{state}'");
            return Results.Json(new ApprovalList(await approvals.ListAsync(pendingOnly: state != "all", context.RequestAborted)), AirlockJson.Options);
        })
            .WithName("ListApprovals")
            .RequireScope(Scopes.ApprovalsResolve)
            .Produces<ApprovalList>();

        v1.MapGet("/approvals/stream", (HttpContext context, ApprovalBroker approvals) =>
            EventStream.WriteAsync(context, approvals.WatchAsync(context.RequestAborted), a => (a.Id, "approval", JsonSerializer.Serialize(a, AirlockJson.Options))))
            .WithName("StreamApprovals")
            .RequireScope(Scopes.ApprovalsResolve)
            .WithDescription("Server-Sent Events: every pending approval now, then each new request and each resolution (event 'approval', data: the approval as JSON)");

        v1.MapGet("/approvals/{id}", async (string id, HttpContext context, ApprovalBroker approvals) =>
            Results.Json(await approvals.GetAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("GetApproval")
            .RequireScope(Scopes.ApprovalsResolve)
            .Produces<ApprovalInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPost("/approvals/{id}/approve", (string id, HttpContext context, ApprovalBroker approvals) => ResolveAsync(id, approve: true, context, approvals, options))
            .WithName("Approve")
            .RequireScope(Scopes.ApprovalsResolve)
            .Accepts<ResolveApprovalBody>("application/json")
            .Produces<ApprovalInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapPost("/approvals/{id}/deny", (string id, HttpContext context, ApprovalBroker approvals) => ResolveAsync(id, approve: false, context, approvals, options))
            .WithName("Deny")
            .RequireScope(Scopes.ApprovalsResolve)
            .Accepts<ResolveApprovalBody>("application/json")
            .Produces<ApprovalInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ResolveAsync(string id, bool approve, HttpContext context, ApprovalBroker approvals, ServerOptions options)
    {
        using var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes, required: false);
        JsonFields.RejectUnknown(body.RootElement, ResolveFields);
        var reason = JsonFields.String(body.RootElement, "reason");
        return Results.Json(await approvals.ResolveAsync(id, approve, reason, context.RequestAborted), AirlockJson.Options);
    }
}
