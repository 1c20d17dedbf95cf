using Airlock.Access;
using Airlock.Client;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Airlock.Server.Previews;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>
/// <c>/v1/sandboxes/{id}/ports</c>: expose a port (POST <c>{port, ttl}</c> → the preview with its token, shown once),
/// list (GET), close (DELETE <c>/ports/{port}</c>). Exposing and closing need <c>sandbox:expose</c>; listing <c>sandbox:read</c>.
/// </summary>
internal static class PortEndpoints
{
    private static readonly string[] Fields = ["port", "ttl"];

    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/sandboxes/{id}/ports", async (string id, HttpContext context, PreviewRegistry previews) =>
        {
            int port;
            TimeSpan? ttl;
            using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
            {
                JsonFields.RejectUnknown(body.RootElement, Fields);
                port = JsonFields.Int(body.RootElement, "port") ?? throw AirlockException.Invalid("'port' is required: the TCP port the server inside the sandbox listens on");
                ttl = JsonFields.Duration(body.RootElement, "ttl");
            }

            var (preview, token) = await previews.OpenAsync(id, port, ttl, context.RequestAborted);
            return Results.Json(Describe(context, preview) with { Token = token }, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("ExposePort")
            .RequireScope(Scopes.SandboxExpose)
            .Produces<PortPreview>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapGet("/sandboxes/{id}/ports", async (string id, HttpContext context, PreviewRegistry previews, ISandboxOperations sandboxes) =>
        {
            await sandboxes.GetAsync(id, context.RequestAborted);
            return Results.Json(new PortPreviewList(previews.List(id).Select(p => Describe(context, p)).ToList()), AirlockJson.Options);
        })
            .WithName("ListPorts")
            .RequireScope(Scopes.SandboxRead)
            .Produces<PortPreviewList>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapDelete("/sandboxes/{id}/ports/{port}", async (string id, string port, PreviewRegistry previews) =>
        {
            if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number)) throw AirlockException.Invalid($"'{port}' is not a port number");
            Guest.Protocol.GuestClient.ValidatePort(number);
            return await previews.CloseAsync(id, number, "closed")
                ? Results.NoContent()
                : throw AirlockException.NotFound($"port {number} of sandbox {id} is not exposed");
        })
            .WithName("ClosePort")
            .RequireScope(Scopes.SandboxExpose)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static PortPreview Describe(HttpContext context, Preview preview) => new()
    {
        Id = preview.Id,
        SandboxId = preview.SandboxId,
        Port = preview.Port,
        Url = $"{context.Request.Scheme}://{context.Request.Host}{PreviewProxy.Prefix(preview)}/",
        ExpiresAt = preview.ExpiresAt,
        Requests = preview.Requests,
    };
}
