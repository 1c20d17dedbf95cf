using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Http;

/// <summary>Reads a JSON request body under a size cap, answering malformed or oversized bodies with 400/413.</summary>
internal static class RequestJson
{
    public static async Task<JsonDocument> ReadAsync(HttpContext context, long limit, bool required = true)
    {
        var request = context.Request;
        if (request.ContentLength > limit) throw TooLarge(limit);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            if (required) throw AirlockException.Invalid("the request needs a JSON body");
            return JsonDocument.Parse("{}");
        }

        try
        {
            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw AirlockException.Invalid("the request body must be a JSON object");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw AirlockException.Invalid($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static AirlockException TooLarge(long limit) =>
        new(AirlockErrorKind.TooLarge, $"the JSON body is larger than {Units.FormatSize(limit)}; upload file content with PUT .../files instead");
}
