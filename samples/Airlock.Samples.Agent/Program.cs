// A .NET agent with an Airlock sandbox as its tools: any IChatClient + FunctionInvokingChatClient + sandbox.AsAIFunctions().
//
//   export AIRLOCK_HOST=http://127.0.0.1:7070 AIRLOCK_TOKEN=$(cat /var/lib/airlock/admin.token)
//   dotnet run --project samples/Airlock.Samples.Agent [-- --isolation container]
//
// No model is reachable from this repository's machines, so the model here is ScriptedChatClient, which asks for the
// tool calls a model would. Swap in any IChatClient (OpenAI, Azure OpenAI, Ollama, ...) and nothing else changes.
using Airlock;
using Airlock.Client;
using Airlock.Client.AI;
using Airlock.Samples.Agent;
using Microsoft.Extensions.AI;

var isolation = args.Length == 2 && args[0] == "--isolation" ? args[1] : "auto";
try
{
    using var client = AirlockClient.FromEnvironment();
    await using var sandbox = await client.CreateSandboxAsync(new SandboxSpec { Isolation = isolation });
    Console.WriteLine($"sandbox {sandbox.Id} ({sandbox.Info.Isolation})");

    IChatClient model = new ScriptedChatClient();
    using var agent = new ChatClientBuilder(model).UseFunctionInvocation().Build();
    var options = new ChatOptions { Tools = [.. sandbox.AsAIFunctions()] };
    List<ChatMessage> conversation = [new(ChatRole.User, ScriptedChatClient.Task)];
    Console.WriteLine($"user: {ScriptedChatClient.Task}");

    var response = await agent.GetResponseAsync(conversation, options);
    Transcript.Write(response.Messages, Console.Out);
    return 0;
}
catch (AirlockException e)
{
    Console.Error.WriteLine($"agent sample: {e.Message}");
    return 1;
}
