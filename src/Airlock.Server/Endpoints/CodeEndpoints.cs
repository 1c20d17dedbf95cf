using Airlock.Access;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>
/// The code interpreter: <c>POST /v1/sandboxes/{id}/code</c> runs one cell in the sandbox's kernel and answers its
/// <see cref="CodeResult"/> (a cell that raised is still 200: the error is part of the result); <c>code/interrupt</c>
/// and <c>code/restart</c>. Scope <c>sandbox:exec</c>: a cell is an exec inside the sandbox, and is governed as one.
/// </summary>
internal static class CodeEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/sandboxes/{id}/code", async (string id, HttpContext context, ICodeOperations code) =>
        {
            CodeRequest request;
            using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
            {
                request = RequestBodies.Code(body.RootElement);
            }

            return Results.Json(await code.RunCodeAsync(id, request, context.RequestAborted), AirlockJson.Options);
        })
            .WithName("RunCode")
            .RequireScope(Scopes.SandboxExec)
            .Accepts<CodeBody>("application/json")
            .Produces<CodeResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPost("/sandboxes/{id}/code/interrupt", async (string id, HttpContext context, ICodeOperations code) =>
        {
            await code.InterruptAsync(id, await LanguageAsync(context, options), context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("InterruptCode")
            .RequireScope(Scopes.SandboxExec)
            .Accepts<CodeLanguageBody>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapPost("/sandboxes/{id}/code/restart", async (string id, HttpContext context, ICodeOperations code) =>
        {
            await code.RestartAsync(id, await LanguageAsync(context, options), context.RequestAborted);
            return Results.NoContent();
        })
            .WithName("RestartCode")
            .RequireScope(Scopes.SandboxExec)
            .Accepts<CodeLanguageBody>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>The body is optional: no body (or no <c>language</c>) means Python.</summary>
    private static async Task<string> LanguageAsync(HttpContext context, ServerOptions options)
    {
        using var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes, required: false);
        return RequestBodies.CodeLanguage(body.RootElement);
    }
}
