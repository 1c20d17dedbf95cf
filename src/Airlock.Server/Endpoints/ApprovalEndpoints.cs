using System.Text.Json;
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
            .Produces<ApprovalList>();

        v1.MapGet("/approvals/stream", (HttpContext context, ApprovalBroker approvals) => StreamAsync(context, approvals))
            .WithName("StreamApprovals")
            .WithDescription("Server-Sent Events: every pending approval now, then each new request and each resolution (event 'approval', data: the approval as JSON)");

        v1.MapGet("/approvals/{id}", async (string id, HttpContext context, ApprovalBroker approvals) =>
            Results.Json(await approvals.GetAsync(id, context.RequestAborted), AirlockJson.Options))
            .WithName("GetApproval")
            .Produces<ApprovalInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPost("/approvals/{id}/approve", (string id, HttpContext context, ApprovalBroker approvals) => ResolveAsync(id, approve: true, context, approvals, options))
            .WithName("Approve")
            .Accepts<ResolveApprovalBody>("application/json")
            .Produces<ApprovalInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapPost("/approvals/{id}/deny", (string id, HttpContext context, ApprovalBroker approvals) => ResolveAsync(id, approve: false, context, approvals, options))
            .WithName("Deny")
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

    /// <summary>
    /// Server-Sent Events, written by hand so that the headers go out at once (a client knows it is subscribed before
    /// anything is pending) and a comment line every 15 s keeps idle proxies from closing the stream.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, ApprovalBroker approvals)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.Body.FlushAsync(cancellationToken);
        await using var changes = approvals.WatchAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = changes.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                var finished = await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(15), cancellationToken));
                if (finished != next)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    continue;
                }

                if (!await next) return;
                var approval = changes.Current;
                await response.WriteAsync($"id: {approval.Id}\nevent: approval\ndata: {JsonSerializer.Serialize(approval, AirlockJson.Options)}\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                next = changes.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; let the pending read end before the enumerator is disposed.
            await next.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
