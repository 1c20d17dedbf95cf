namespace Airlock.Mcp;

/// <summary>Collects an exec's stream into one outcome (the MCP answer is one message, not a stream).</summary>
internal static class ExecCollector
{
    public static async Task<ExecOutcome> RunAsync(ISandboxOperations sandboxes, string sandboxId, ExecRequest request, CancellationToken cancellationToken)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        ExecResult? result = null;
        await foreach (var item in sandboxes.ExecStreamAsync(sandboxId, request, cancellationToken))
        {
            switch (item)
            {
                case ExecOutput { Stream: OutputStream.Stderr } error:
                    stderr.Write(error.Data.Span);
                    break;
                case ExecOutput output:
                    stdout.Write(output.Data.Span);
                    break;
                case ExecExited exited:
                    result = exited.Result;
                    break;
            }
        }

        return new ExecOutcome(result ?? throw AirlockException.Unavailable("the command's output ended without an exit status"), stdout.ToArray(), stderr.ToArray());
    }
}
