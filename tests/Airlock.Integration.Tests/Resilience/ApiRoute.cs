using System.Text.Json;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>One operation of the daemon's OpenAPI document: what the fuzzer aims at, with the names it knows.</summary>
internal sealed record ApiRoute(string Method, string Template, IReadOnlyList<string> QueryParameters, IReadOnlyList<string> BodyFields)
{
    /// <summary>Every operation of <c>/openapi/v1.json</c>; body field names come from the request schema's properties.</summary>
    public static IReadOnlyList<ApiRoute> FromOpenApi(string document)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        var routes = new List<ApiRoute>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var query = new List<string>();
                if (operation.Value.TryGetProperty("parameters", out var parameters))
                {
                    foreach (var p in parameters.EnumerateArray())
                    {
                        if (p.GetProperty("in").GetString() == "query") query.Add(p.GetProperty("name").GetString()!);
                    }
                }

                routes.Add(new ApiRoute(operation.Name.ToUpperInvariant(), path.Name, query, BodyFieldsOf(root, operation.Value)));
            }
        }

        return routes;
    }

    private static List<string> BodyFieldsOf(JsonElement root, JsonElement operation)
    {
        var fields = new List<string>();
        if (!operation.TryGetProperty("requestBody", out var body) || !body.TryGetProperty("content", out var content)) return fields;
        foreach (var media in content.EnumerateObject())
        {
            if (!media.Value.TryGetProperty("schema", out var schema)) continue;
            if (schema.TryGetProperty("$ref", out var reference))
            {
                var name = reference.GetString()!.Split('/')[^1];
                if (root.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var resolved)) schema = resolved;
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                fields.AddRange(properties.EnumerateObject().Select(p => p.Name));
            }
        }

        return fields;
    }
}
