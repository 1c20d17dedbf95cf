namespace Airlock;

/// <summary>
/// A stateful code interpreter per sandbox (a Jupyter kernel inside it): variables, imports and files persist
/// across <see cref="RunCodeAsync"/> calls on the same sandbox. Implemented over <see cref="ISandboxOperations"/>
/// so that every call walks the same policy, approval and audit path as an exec; the daemon exposes it at
/// <c>/v1/sandboxes/{id}/code</c>, the SDK as <c>Sandbox.RunCodeAsync</c>, the CLI as <c>airlock code</c>, MCP as <c>run_code</c>.
/// </summary>
public interface ICodeOperations
{
    /// <summary>Runs one cell. The kernel starts on first use. A cell that outlives its timeout is interrupted
    /// (the kernel keeps its state) and the result carries a <c>KeyboardInterrupt</c>/timeout error.</summary>
    Task<CodeResult> RunCodeAsync(string sandboxId, CodeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Interrupts the cell that is running, if any (SIGINT to the kernel).</summary>
    Task InterruptAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default);

    /// <summary>Restarts the kernel: every variable and import is forgotten; files stay.</summary>
    Task RestartAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default);
}

/// <summary>Languages a sandbox's code interpreter speaks.</summary>
public static class CodeLanguages
{
    public const string Python = "python";
}
