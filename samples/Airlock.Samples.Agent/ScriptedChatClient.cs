using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Airlock.Samples.Agent;

/// <summary>
/// A stand-in for a model: it answers each turn with the next tool call of a fixed plan, reading the previous results
/// the way a model would (the value to save is the one run_code returned). It checks that the tools it calls were
/// offered, so the sample fails when the sandbox's functions are missing.
/// </summary>
internal sealed partial class ScriptedChatClient : IChatClient
{
    public const string Task = "Set x = 21 in Python, double it, save the answer to /workspace/answer.txt and read the file back.";

    private const string AnswerPath = "/workspace/answer.txt";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages.ToList();
        var results = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? "").ToList();
        var reply = results.Count switch
        {
            0 => Call(options, "run_code", new() { ["code"] = "x = 21" }),
            1 => Call(options, "run_code", new() { ["code"] = "x * 2" }),
            2 => Call(options, "write_file", new() { ["path"] = AnswerPath, ["content"] = ResultValue(results[1]) }),
            3 => Call(options, "read_file", new() { ["path"] = AnswerPath }),
            _ => new ChatMessage(ChatRole.Assistant, $"x * 2 is {results[^1].Trim()}; it is saved in {AnswerPath}."),
        };
        return System.Threading.Tasks.Task.FromResult(new ChatResponse(reply));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static ChatMessage Call(ChatOptions? options, string tool, Dictionary<string, object?> arguments)
    {
        if (options?.Tools?.Any(t => t.Name == tool) != true) throw new InvalidOperationException($"the agent was not given the tool '{tool}'");
        return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{tool}_{Guid.NewGuid():N}", tool, arguments)]);
    }

    /// <summary>The value run_code returned (its "--- result ---" section), as a model would quote it.</summary>
    private static string ResultValue(string result)
    {
        var match = ResultSection().Match(result);
        return match.Success ? match.Groups[1].Value.Trim() : throw new InvalidOperationException($"run_code returned no value: {result}");
    }

    [GeneratedRegex(@"--- result ---\n([^\n]*)")]
    private static partial Regex ResultSection();
}
