using System.Text.Json;
using Airlock.Client.Wire;
using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Http;

/// <summary>Writes RFC 9457 problem+json responses.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static Task WriteAsync(HttpContext context, AirlockErrorKind kind, string detail)
    {
        var (type, title, status) = WireFormat.Describe(kind);
        return WriteAsync(context, new Problem { Type = type, Title = title, Status = status, Detail = detail });
    }

    public static async Task WriteAsync(HttpContext context, Problem problem)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = problem.Status;
        response.ContentType = ContentType;
        if (problem.Status == StatusCodes.Status401Unauthorized) response.Headers.WWWAuthenticate = "Bearer realm=\"airlock\"";
        await JsonSerializer.SerializeAsync(response.Body, problem, AirlockJson.Options, context.RequestAborted);
    }
}
