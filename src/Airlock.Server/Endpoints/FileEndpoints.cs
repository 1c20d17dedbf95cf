using Airlock.Access;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>Files inside a sandbox. Content travels as raw bytes (or tar), streamed both ways, never buffered whole.</summary>
internal static class FileEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapGet("/sandboxes/{id}/files", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            await SendStreamAsync(context, await sandboxes.ReadFileAsync(id, Query.RequiredPath(context.Request), context.RequestAborted), "application/octet-stream"))
            .WithName("ReadFile")
            .RequireScope(Scopes.FilesRead)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPut("/sandboxes/{id}/files", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
        {
            AllowUpload(context, options);
            var path = Query.RequiredPath(context.Request);
            var entry = await sandboxes.WriteFileAsync(id, path, context.Request.Body, Query.Mode(context.Request), context.RequestAborted);
            return Results.Json(entry, AirlockJson.Options);
        })
            .WithName("WriteFile")
            .RequireScope(Scopes.FilesWrite)
            .Accepts<Stream>("application/octet-stream", "*/*") // any type: curl -T and --data-binary send their own
            .Produces<FileEntry>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        v1.MapDelete("/sandboxes/{id}/files", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
        {
            await sandboxes.RemoveFileAsync(id, Query.RequiredPath(context.Request), Query.Bool(context.Request, "recursive", false), context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("RemoveFile")
            .RequireScope(Scopes.FilesWrite)
            .Produces(StatusCodes.Status204NoContent);

        v1.MapGet("/sandboxes/{id}/files/list", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(new FileList(await sandboxes.ListFilesAsync(id, Query.RequiredPath(context.Request), context.RequestAborted)), AirlockJson.Options))
            .WithName("ListFiles")
            .RequireScope(Scopes.FilesRead)
            .Produces<FileList>();

        v1.MapGet("/sandboxes/{id}/files/stat", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.StatFileAsync(id, Query.RequiredPath(context.Request), context.RequestAborted), AirlockJson.Options))
            .WithName("StatFile")
            .RequireScope(Scopes.FilesRead)
            .Produces<FileEntry>();

        v1.MapPost("/sandboxes/{id}/files/mkdir", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            Results.Json(await sandboxes.MakeDirectoryAsync(id, Query.RequiredPath(context.Request), Query.Bool(context.Request, "parents", true), context.RequestAborted), AirlockJson.Options))
            .WithName("MakeDirectory")
            .RequireScope(Scopes.FilesWrite)
            .Produces<FileEntry>();

        v1.MapGet("/sandboxes/{id}/files/tar", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
            await SendStreamAsync(context, await sandboxes.DownloadTarAsync(id, Query.RequiredPath(context.Request), context.RequestAborted), "application/x-tar"))
            .WithName("DownloadTar")
            .RequireScope(Scopes.FilesRead)
            .Produces(StatusCodes.Status200OK, contentType: "application/x-tar");

        v1.MapPut("/sandboxes/{id}/files/tar", async (string id, HttpContext context, ISandboxOperations sandboxes) =>
        {
            AllowUpload(context, options);
            await sandboxes.UploadTarAsync(id, Query.RequiredPath(context.Request), context.Request.Body, context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("UploadTar")
            .RequireScope(Scopes.FilesWrite)
            .Accepts<Stream>("application/x-tar", "*/*")
            .Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>Uploads may be far larger than JSON bodies; raise Kestrel's per-request cap for this request only.</summary>
    private static void AllowUpload(HttpContext context, ServerOptions options)
    {
        if (context.Request.ContentLength > options.MaxUploadBytes)
        {
            throw new AirlockException(AirlockErrorKind.TooLarge, $"the upload is larger than {Units.FormatSize(options.MaxUploadBytes)}; split it or use a tar of smaller parts");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadBytes;
        }
    }

    private static async Task SendStreamAsync(HttpContext context, Stream content, string contentType)
    {
        await using (content)
        {
            context.Response.ContentType = contentType;
            if (content.CanSeek) context.Response.ContentLength = content.Length - content.Position;
            await content.CopyToAsync(context.Response.Body, 81920, context.RequestAborted);
        }
    }
}
