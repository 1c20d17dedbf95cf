using System.Text;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>The audit trail: query, export as JSON Lines (streamed), verify the hash chain and signed checkpoints.</summary>
internal static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/audit", async (HttpContext context, IAuditLog audit, TimeProvider time) =>
        {
            var query = AuditQueryParameters.Parse(context.Request, time.GetUtcNow());
            return Results.Json(new AuditRecordList(await audit.QueryAsync(query, context.RequestAborted)), AirlockJson.Options);
        })
            .WithName("QueryAudit")
            .RequireScope(Scopes.AuditRead)
            .WithDescription("Audit records, oldest first; filters: sandbox, kind (a prefix when it ends in '.'), actor, outcome, after (sequence), since (10m or ISO 8601), limit (1-10000), newest")
            .Produces<AuditRecordList>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        v1.MapGet("/audit/export", async (HttpContext context, IAuditLog audit, TimeProvider time) =>
        {
            // Parsed before the first byte: a bad filter is still a 400, not a broken stream.
            var query = AuditQueryParameters.Parse(context.Request, time.GetUtcNow());
            context.Response.ContentType = AuditJsonLines.ContentType;
            var body = new StringBuilder();
            await foreach (var record in AuditJsonLines.ReadAllAsync(audit.QueryAsync, query, context.RequestAborted))
            {
                body.Append(AuditJsonLines.Format(record)).Append('\n');
                if (body.Length < 64 * 1024) continue;
                await context.Response.WriteAsync(body.ToString(), context.RequestAborted);
                body.Clear();
            }

            await context.Response.WriteAsync(body.ToString(), context.RequestAborted);
        })
            .WithName("ExportAudit")
            .RequireScope(Scopes.AuditRead)
            .WithDescription("Every matching record as JSON Lines (seq, time, kind, actor, outcome, sandbox, details, prev_hash, hash), streamed")
            .Produces(StatusCodes.Status200OK, contentType: AuditJsonLines.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        v1.MapGet("/audit/stream", (HttpContext context, IAuditLog audit) =>
        {
            var kind = context.Request.Query["kind"].ToString();
            var sandbox = context.Request.Query["sandbox"].ToString();
            return EventStream.WriteAsync(context, Follow(audit, kind, sandbox, context.RequestAborted),
                r => (r.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "audit", System.Text.Json.JsonSerializer.Serialize(r, AirlockJson.Options)));
        })
            .WithName("StreamAudit")
            .RequireScope(Scopes.AuditRead)
            .WithDescription("Server-Sent Events: every record appended from now on (event 'audit'); kind (a prefix when it ends in '.') and sandbox filter. kind=anomaly follows the alerts");

        v1.MapGet("/audit/verify", async (HttpContext context, IAuditVerifier verifier) =>
            Results.Json(await verifier.VerifyAsync(context.RequestAborted), AirlockJson.Options))
            .WithName("VerifyAudit")
            .RequireScope(Scopes.AuditRead)
            .WithDescription("Checks every record's hash, the links between records and the signed checkpoints: {ok, records, checkpoints, firstBad?: {sequence, reason}}")
            .Produces<AuditVerification>();
    }

    /// <summary>Records appended by this daemon from now on, as a stream; a slow reader loses the oldest, never the writer's time.</summary>
    private static async IAsyncEnumerable<AuditRecord> Follow(IAuditLog audit, string kind, string sandbox, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<AuditRecord>(new System.Threading.Channels.BoundedChannelOptions(4096) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
        using var subscription = audit.Subscribe(record =>
        {
            var e = record.Event;
            var kindMatches = kind.Length == 0 || (kind.EndsWith('.') ? e.Kind.StartsWith(kind, StringComparison.Ordinal) : e.Kind == kind);
            if (kindMatches && (sandbox.Length == 0 || e.SandboxId == sandbox)) channel.Writer.TryWrite(record);
        });
        await foreach (var record in channel.Reader.ReadAllAsync(cancellationToken)) yield return record;
    }
}
