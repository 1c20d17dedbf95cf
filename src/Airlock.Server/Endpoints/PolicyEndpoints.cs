using System.Text;
using Airlock.Client.Wire;
using Airlock.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>Named, versioned policies: store a new version (the body is the YAML or JSON document), list, read.</summary>
internal static class PolicyEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerOptions options)
    {
        v1.MapPut("/policies/{name}", async (string name, HttpContext context, PolicyStore policies) =>
        {
            var text = await ReadTextAsync(context.Request, options.MaxJsonBodyBytes, context.RequestAborted);
            var stored = await policies.PutAsync(name, text, context.RequestAborted);
            return Results.Json(stored, AirlockJson.Options, statusCode: StatusCodes.Status201Created);
        })
            .WithName("PutPolicy")
            .WithDescription("Stores the body (a policy document, YAML or JSON) as the next version of NAME; the same text as the latest version returns that version")
            .Produces<PolicyInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        v1.MapGet("/policies", async (HttpContext context, PolicyStore policies) =>
            Results.Json(new PolicyList(await policies.ListAsync(context.Request.Query["inline"] == "true", context.RequestAborted)), AirlockJson.Options))
            .WithName("ListPolicies")
            .Produces<PolicyList>();

        v1.MapGet("/policies/{reference}", async (string reference, HttpContext context, PolicyStore policies) =>
            Results.Json(await policies.GetAsync(reference, context.RequestAborted), AirlockJson.Options))
            .WithName("GetPolicy")
            .WithDescription("NAME (latest version) or NAME@VERSION")
            .Produces<PolicyInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        v1.MapGet("/policies/{name}/versions", async (string name, HttpContext context, PolicyStore policies) =>
        {
            var history = await policies.HistoryAsync(name, context.RequestAborted);
            return history.Count == 0
                ? throw AirlockException.NotFound($"no stored policy '{name}'")
                : Results.Json(new PolicyList(history), AirlockJson.Options);
        })
            .WithName("ListPolicyVersions")
            .Produces<PolicyList>();
    }

    private static async Task<string> ReadTextAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit) throw new AirlockException(AirlockErrorKind.TooLarge, $"a policy is at most {Units.FormatSize(limit)}");
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[limit + 1];
        var total = 0;
        int read;
        while (total <= limit && (read = await reader.ReadAsync(buffer.AsMemory(total, buffer.Length - total), cancellationToken)) > 0) total += read;
        if (total > limit) throw new AirlockException(AirlockErrorKind.TooLarge, $"a policy is at most {Units.FormatSize(limit)}");
        if (total == 0) throw AirlockException.Invalid("the request body must be the policy document (YAML or JSON)");
        return new string(buffer, 0, total);
    }
}
