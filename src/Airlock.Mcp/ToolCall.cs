using Airlock.Access;
using ModelContextProtocol.Protocol;

namespace Airlock.Mcp;

/// <summary>
/// Runs one tool body and turns every failure a caller can act on into an MCP tool error (<c>isError: true</c> with
/// the message), never a protocol error: an LLM reads the message and corrects its next call. A refusal (403) is
/// counted and audited once here, as the REST layer does for its routes.
/// </summary>
internal static class ToolCall
{
    public static async Task<CallToolResult> RunAsync(McpBackend backend, string tool, string? sandboxId, Func<Task<CallToolResult>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (AirlockException e)
        {
            if (e.Kind == AirlockErrorKind.Forbidden && backend.Denials is { } denials)
            {
                var caller = CallerContext.Current;
                await denials.RecordAsync(403, caller.Actor, caller.TokenId, sandboxId, e.Message, $"MCP {tool}", CancellationToken.None);
            }

            return Error($"{tool} failed ({Describe(e.Kind)}): {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Error($"{tool} was cancelled before it finished");
        }
    }

    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    public static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    private static string Describe(AirlockErrorKind kind) => kind switch
    {
        AirlockErrorKind.InvalidArgument => "bad argument",
        AirlockErrorKind.NotFound => "not found",
        AirlockErrorKind.Conflict => "conflict",
        AirlockErrorKind.RateLimited => "rate limited",
        AirlockErrorKind.TooLarge => "too large",
        AirlockErrorKind.Unauthorized => "unauthorized",
        AirlockErrorKind.Forbidden => "forbidden",
        AirlockErrorKind.Unavailable => "unavailable",
        _ => "internal error",
    };
}
