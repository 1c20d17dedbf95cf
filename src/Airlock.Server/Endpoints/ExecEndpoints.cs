using Airlock.Access;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Airlock.Server.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Airlock.Server.Endpoints;

/// <summary>
/// <c>POST /v1/sandboxes/{id}/exec</c>: NDJSON, one event per line, each flushed as the engine produces it.
/// The status line waits for the first event (or <see cref="ServerOptions.ExecStartGrace"/>), so that an
/// unknown sandbox or a paused one is still an ordinary 404/409 problem response.
/// </summary>
internal static class ExecEndpoints
{
    public const string NdjsonContentType = "application/x-ndjson";

    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/sandboxes/{id}/exec", (string id, HttpContext context, ISandboxOperations sandboxes, ExecMetering metering, ILoggerFactory logs) =>
            ExecAsync(id, context, sandboxes, metering, options, logs.CreateLogger("Airlock.Server.Exec")))
            .WithName("Exec")
            .RequireScope(Scopes.SandboxExec)
            .Accepts<ExecBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: NdjsonContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task ExecAsync(string id, HttpContext context, ISandboxOperations sandboxes, ExecMetering metering, ServerOptions options, ILogger logger)
    {
        var started = metering.Start();
        var tier = metering.TierOfAsync(id, context.RequestAborted);
        ExecRequest request;
        using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
        {
            request = RequestBodies.Exec(body.RootElement);
        }

        var aborted = context.RequestAborted;
        await using var events = sandboxes.ExecStreamAsync(id, request, aborted).GetAsyncEnumerator(aborted);
        var first = events.MoveNextAsync().AsTask();
        await Task.WhenAny(first, Task.Delay(options.ExecStartGrace, aborted));
        if (first.IsCompleted) await first; // a failure before the command runs: thrown here, answered as problem+json

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = NdjsonContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // tell reverse proxies not to hold lines back
        await response.StartAsync(aborted);
        try
        {
            var more = await first;
            while (more)
            {
                if (events.Current is ExecExited exited) metering.Record(await tier, started, exited.Result);
                await response.Body.WriteAsync(ExecWire.Line(events.Current), aborted);
                await response.Body.FlushAsync(aborted);
                more = await events.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            var (kind, detail) = ErrorMiddleware.Classify(e);
            if (kind is AirlockErrorKind.Internal) logger.LogError(e, "exec in {Sandbox} failed after the stream started", id);
            await response.Body.WriteAsync(ExecWire.ErrorLine(kind, detail), aborted);
            await response.Body.FlushAsync(aborted);
        }
    }
}
