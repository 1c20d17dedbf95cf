using Airlock.Client.Wire;
using Airlock.Core.Images;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>The image store: list, build from Debian packages (minutes), remove. Admin token only: images are shared by every sandbox.</summary>
internal static class ImageEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapGet("/images", async (HttpContext context, IImageStore images) =>
            Results.Json(new ImageList(await images.ListAsync(context.RequestAborted)), AirlockJson.Options))
            .WithName("ListImages")
            .Produces<ImageList>();

        v1.MapPost("/images", async (HttpContext context, IImageStore images) =>
        {
            (string Name, IReadOnlyList<string> Packages) request;
            using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
            {
                request = RequestBodies.BuildImage(body.RootElement);
            }

            var image = await images.BuildAsync(request.Name, request.Packages, progress: null, context.RequestAborted);
            return Results.Json(image, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("BuildImage")
            .Accepts<BuildImageBody>("application/json")
            .Produces<ImageInfo>(StatusCodes.Status201Created);

        v1.MapDelete("/images/{name}", async (string name, HttpContext context, IImageStore images) =>
        {
            await images.RemoveAsync(name, context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("RemoveImage")
            .Produces(StatusCodes.Status204NoContent);
    }
}
