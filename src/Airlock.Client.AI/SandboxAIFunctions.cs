using Microsoft.Extensions.AI;

namespace Airlock.Client.AI;

/// <summary>
/// Turns a <see cref="Sandbox"/> into <see cref="AIFunction"/>s an <see cref="IChatClient"/> agent (or Semantic Kernel)
/// can call as tools: <c>run_code</c>, <c>exec</c>, <c>read_file</c>, <c>write_file</c>, <c>list_files</c>. Every call
/// goes through the sandbox's operations — over a daemon, its policy, approvals and audit apply with the client's token.
/// A failure the model can fix (a bad path, a policy refusal) comes back to it as the function's result text,
/// starting with <c>error:</c>, so the conversation goes on.
/// </summary>
/// <example>
/// <code>
/// await using var sandbox = await client.CreateSandboxAsync();
/// var options = new ChatOptions { Tools = [.. sandbox.AsAIFunctions()] };
/// var chat = new ChatClientBuilder(model).UseFunctionInvocation().Build();
/// var answer = await chat.GetResponseAsync("What is 2**100? Compute it.", options);
/// </code>
/// </example>
public static class SandboxAIFunctions
{
    /// <summary>The functions for <paramref name="sandbox"/>. <c>run_code</c> is included when its operations have a code interpreter.</summary>
    public static IReadOnlyList<AIFunction> AsAIFunctions(this Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var tools = new SandboxFunctionSet(sandbox);
        var functions = new List<AIFunction>();
        if (sandbox.Operations is ICodeOperations)
        {
            functions.Add(AIFunctionFactory.Create(tools.RunCodeAsync, new AIFunctionFactoryOptions
            {
                Name = "run_code",
                Description = "Runs Python in the sandbox's stateful interpreter (a Jupyter kernel): variables, imports and files persist " +
                    "between calls. Returns stdout, stderr, the value of the last expression and any error with its traceback.",
            }));
        }

        functions.Add(AIFunctionFactory.Create(tools.ExecAsync, new AIFunctionFactoryOptions
        {
            Name = "exec",
            Description = "Runs a shell command line in the sandbox (sh -c, working directory /workspace) and returns its exit code, stdout and stderr.",
        }));
        functions.Add(AIFunctionFactory.Create(tools.ReadFileAsync, new AIFunctionFactoryOptions
        {
            Name = "read_file",
            Description = "Reads a UTF-8 text file inside the sandbox (absolute path, e.g. /workspace/out.txt).",
        }));
        functions.Add(AIFunctionFactory.Create(tools.WriteFileAsync, new AIFunctionFactoryOptions
        {
            Name = "write_file",
            Description = "Creates or replaces a UTF-8 text file inside the sandbox (absolute path); missing directories are created.",
        }));
        functions.Add(AIFunctionFactory.Create(tools.ListFilesAsync, new AIFunctionFactoryOptions
        {
            Name = "list_files",
            Description = "Lists a directory inside the sandbox: one entry a line, 'd' for directories, then size and path.",
        }));
        return functions;
    }
}
