namespace Airlock;

/// <summary>Runs a command and collects its streamed output into one <see cref="ExecOutcome"/>.</summary>
public static class ExecCollection
{
    /// <summary>For callers that answer with one message (SDK <c>ExecAsync</c>, MCP, the code interpreter), not a stream.</summary>
    public static async Task<ExecOutcome> CollectAsync(this ISandboxOperations sandboxes, string id, ExecRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sandboxes);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        ExecResult? result = null;
        await foreach (var item in sandboxes.ExecStreamAsync(id, request, cancellationToken))
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

        return new ExecOutcome(
            result ?? throw AirlockException.Unavailable($"the command's output in sandbox {id} ended without an exit status"),
            stdout.ToArray(),
            stderr.ToArray());
    }
}
