using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Airlock.Samples.Agent;

/// <summary>Prints what the agent did: each tool call with its arguments, each result, and the model's words.</summary>
internal static class Transcript
{
    public static void Write(IEnumerable<ChatMessage> messages, TextWriter output)
    {
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case FunctionCallContent call:
                        output.WriteLine($"tool call: {call.Name}({JsonSerializer.Serialize(call.Arguments)})");
                        break;
                    case FunctionResultContent result:
                        output.WriteLine($"tool result: {Indent(result.Result?.ToString() ?? "")}");
                        break;
                    case TextContent text when text.Text.Length > 0:
                        output.WriteLine($"{message.Role}: {text.Text}");
                        break;
                }
            }
        }
    }

    private static string Indent(string text) => text.Replace("\n", "\n    ", StringComparison.Ordinal);
}
