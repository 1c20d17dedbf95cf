using Airlock.Access;
using Airlock.Artifacts;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>
/// The content-addressed artifact store (docs/api.md#artifacts). Thin: the store hashes, signs and verifies.
/// An artifact changed on disk after it was stored is a 409 problem naming what failed, never its bytes.
/// </summary>
internal static class ArtifactEndpoints
{
    /// <summary>What curl --data-binary sends when told nothing; it says nothing about the bytes.</summary>
    private const string CurlDefaultType = "application/x-www-form-urlencoded";

    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPut("/artifacts", async (HttpContext context, IArtifactStore artifacts) =>
        {
            AllowUpload(context, options);
            var request = context.Request;
            var mediaType = request.ContentType is { } type && !type.StartsWith(CurlDefaultType, StringComparison.OrdinalIgnoreCase) ? type : null;
            var info = await artifacts.PutAsync(request.Body, mediaType, request.Query["name"].ToString(), context.RequestAborted);
            return Results.Json(info, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("PutArtifact")
            .RequireScope(Scopes.ArtifactsWrite)
            .Accepts<Stream>("application/octet-stream", "*/*")
            .Produces<ArtifactInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        v1.MapGet("/artifacts", async (HttpContext context, IArtifactStore artifacts) =>
            Results.Json(new ArtifactList(await artifacts.ListAsync(context.RequestAborted)), AirlockJson.Options))
            .WithName("ListArtifacts")
            .RequireScope(Scopes.ArtifactsRead)
            .Produces<ArtifactList>();

        v1.MapGet("/artifacts/{digest}", async (string digest, HttpContext context, IArtifactStore artifacts) =>
        {
            var info = await artifacts.GetInfoAsync(digest, context.RequestAborted);
            await using var content = await artifacts.OpenAsync(digest, context.RequestAborted);
            var response = context.Response;
            response.ContentType = info.MediaType;
            response.ContentLength = info.Size;
            response.Headers.ETag = $"\"{info.Digest}\"";
            await content.CopyToAsync(response.Body, context.RequestAborted);
        })
            .WithName("GetArtifact")
            .RequireScope(Scopes.ArtifactsRead)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapGet("/artifacts/{digest}/manifest", async (string digest, HttpContext context, IArtifactStore artifacts) =>
            Results.Json(await artifacts.GetInfoAsync(digest, context.RequestAborted), AirlockJson.Options))
            .WithName("GetArtifactManifest")
            .RequireScope(Scopes.ArtifactsRead)
            .Produces<ArtifactInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapDelete("/artifacts/{digest}", async (string digest, HttpContext context, IArtifactStore artifacts) =>
        {
            await artifacts.DeleteAsync(digest, context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("DeleteArtifact")
            .RequireScope(Scopes.ArtifactsWrite)
            .Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>Artifacts may be far larger than JSON bodies; raise Kestrel's per-request cap for this request only.</summary>
    private static void AllowUpload(HttpContext context, ServerOptions options)
    {
        if (context.Request.ContentLength > options.MaxArtifactBytes)
        {
            throw new AirlockException(AirlockErrorKind.TooLarge, $"the artifact is larger than this daemon's limit of {Units.FormatSize(options.MaxArtifactBytes)}");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // One byte over the store's cap, so that the store (not Kestrel) says which limit it was.
            limit.MaxRequestBodySize = options.MaxArtifactBytes + 1;
        }
    }
}
