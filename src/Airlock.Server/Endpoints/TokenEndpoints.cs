using Airlock.Access;
using Airlock.Client.Wire;
using Airlock.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>Scoped tokens: mint (the token is in this one answer only), list (no secrets), revoke.</summary>
internal static class TokenEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPost("/tokens", async (HttpContext context, AccessControl access) =>
        {
            TokenRequest request;
            using (var body = await RequestJson.ReadAsync(context, options.MaxJsonBodyBytes))
            {
                request = RequestBodies.MintToken(body.RootElement);
            }

            var minted = await access.Tokens.MintAsync(request, context.RequestAborted);
            context.Response.Headers.CacheControl = "no-store"; // the answer holds a credential
            return Results.Json(minted, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("MintToken")
            .RequireScope(Scopes.TokensMint)
            .Accepts<CreateTokenBody>("application/json")
            .Produces<MintedToken>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        v1.MapGet("/tokens", async (HttpContext context, AccessControl access) =>
        {
            var tokens = await access.Tokens.ListAsync(context.RequestAborted);
            var withCounts = tokens.Select(t => t with { FailedAccess = access.Failures.ForToken(t.Id) }).ToList();
            return Results.Json(new TokenList(withCounts), AirlockJson.Options);
        })
            .WithName("ListTokens")
            .RequireScope(Scopes.TokensMint)
            .Produces<TokenList>();

        v1.MapDelete("/tokens/{tokenId}", async (string tokenId, HttpContext context, AccessControl access) =>
            Results.Json(await access.Tokens.RevokeAsync(tokenId, context.RequestAborted), AirlockJson.Options))
            .WithName("RevokeToken")
            .RequireScope(Scopes.TokensMint)
            .Produces<TokenInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
